import { type AutoScalingGroup, LAUNCHING, TERMINATING } from "../src/aws/autoscaling-engine.js";
import { SimulatedAws, type SimulatedAwsOptions } from "../src/aws/simulated-aws.js";
import { LocalEventBus } from "../src/bus.js";
import { SandboxClock } from "../src/clock.js";

/** A simulated account for model tests: clock, models behind the client factory, the local bus. */
export interface TestAccount {
  readonly clock: SandboxClock;
  readonly aws: SimulatedAws;
  readonly bus: LocalEventBus;
  readonly group: AutoScalingGroup;
  close(): void;
}

export const GROUP = "clawops-test-openclaw";
export const LAUNCH_HOOK = "openclaw-launch-gate";
export const TERMINATE_HOOK = "openclaw-terminate-drain";

/** One group of `desired` instances with a launch and a terminate hook (no gateway processes unless given). */
export async function testAccount(
  options: Partial<Omit<SimulatedAwsOptions, "clock">> & {
    desired?: number;
    launchHeartbeat?: number;
    launchDefault?: "CONTINUE" | "ABANDON";
    grace?: number;
  } = {},
): Promise<TestAccount> {
  const clock = new SandboxClock();
  const aws = new SimulatedAws({ ...options, clock });
  const bus = new LocalEventBus(clock);
  aws.world.onEvent((event) => bus.publish(event));
  const uninstall = aws.install();
  const group = aws.autoScaling.createGroup({
    name: GROUP,
    min: 0,
    max: 6,
    desired: options.desired ?? 1,
    healthCheckGracePeriod: options.grace ?? 0,
    launch: {
      imageId: "ami-0123456789abcdef0",
      instanceType: "t4g.small",
      securityGroupIds: ["sg-0aaa"],
      subnets: [
        { subnetId: "subnet-0a", availabilityZone: "us-east-1a", vpcId: "vpc-0a" },
        { subnetId: "subnet-0b", availabilityZone: "us-east-1b", vpcId: "vpc-0a" },
      ],
    },
    hooks: [
      {
        LifecycleHookName: LAUNCH_HOOK,
        LifecycleTransition: LAUNCHING,
        HeartbeatTimeout: options.launchHeartbeat ?? 600,
        DefaultResult: options.launchDefault ?? "ABANDON",
      },
      {
        LifecycleHookName: TERMINATE_HOOK,
        LifecycleTransition: TERMINATING,
        HeartbeatTimeout: 300,
        DefaultResult: "CONTINUE",
      },
    ],
  });
  // Let the launches reach their launch hooks (EC2 runs the instances first).
  await clock.advance(5_000);
  return {
    clock,
    aws,
    bus,
    group,
    close() {
      aws.stop();
      clock.stop();
      uninstall();
    },
  };
}
