import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { type ClawopsConfigInput, type ResolvedConfig, resolveConfig } from "@clawops/core/config";
import type { FleetDescription } from "@clawops/core/fleet";
import type { DeadLetterRecord } from "@clawops/core/handler";
import { type GroupMember, LifecycleState } from "./aws/autoscaling-engine.js";
import { dynamoDbProxyModel } from "./aws/dynamodb-proxy.js";
import { sfnModel } from "./aws/sfn.js";
import { SimulatedAws } from "./aws/simulated-aws.js";
import type { Fault, RecordedCall } from "./aws/simulator.js";
import type { InstanceTimings, SandboxEvent, SimInstance } from "./aws/world.js";
import { type BusRule, LocalEventBus, type LocalEventBusOptions } from "./bus.js";
import { SandboxClock } from "./clock.js";
import { seedFleetFiles } from "./fleet-files.js";
import { seedFleet } from "./fleet-seed.js";
import {
  createStateTable,
  GatewayProcesses,
  probeGateway,
  type SlackServer,
  startDynamo,
  startSlackServer,
} from "./io.js";
import { Schedules } from "./schedules.js";
import { LocalStepFunctions } from "./stepfunctions.js";

/** Stage name the sandbox resolves the configuration for. */
export const SANDBOX_STAGE = "sandbox";

export interface SandboxOptions {
  /** The operator's configuration (as in `clawops.config.ts`). @default the repository's clawops.config.ts */
  readonly config?: ClawopsConfigInput;
  /** The file `config` came from, as its validation errors name it. @default "clawops.config.ts" */
  readonly configSource?: string;
  /** Instances the group starts with. @default the config's desiredCapacity */
  readonly fleetSize?: number;
  /** Faults injected from the start, by `"Service.Command"` or `"Service"`. */
  readonly faults?: Readonly<Record<string, Fault>>;
  /** Sandbox ms per real ms; 0 = the clock moves only with `clock.advance` (tests). @default 0 */
  readonly clockSpeed?: number;
  /** Rules on the bus before the fleet launches (so the first launch events reach them). */
  readonly rules?: readonly BusRule[];
  readonly bus?: LocalEventBusOptions;
  readonly timings?: Partial<InstanceTimings>;
  /** Start a real gateway process per instance. @default true */
  readonly gateways?: boolean;
  /** Start the local Slack server and dynalite. @default true */
  readonly servers?: boolean;
  /** Caps a probe's real wait on a hanging gateway. @default 2_000 */
  readonly maxRealProbeTimeoutMs?: number;
}

/** One instance as the fleet handle shows it. */
export interface FleetInstance {
  readonly instanceId: string;
  readonly lifecycleState: string;
  readonly healthStatus: string;
  readonly ec2State: string;
  readonly agentRegistered: boolean;
  readonly gatewayPort: number | undefined;
}

/** The running sandbox: handles for tests, the game day and the CLI. */
export interface Sandbox {
  readonly config: ResolvedConfig;
  readonly description: FleetDescription;
  readonly aws: {
    readonly models: SimulatedAws;
    calls(service?: string, command?: string): RecordedCall[];
    inject(target: string, fault: Fault | undefined): void;
  };
  readonly fleet: {
    instances(): FleetInstance[];
    /** Kills the instance's gateway process (SIGKILL): a real failure. */
    kill(instanceId: string): Promise<void>;
    /** Raises the group's desired capacity by `n` (new launches fire launch hooks). */
    scaleOut(n: number): void;
    gatewayPort(instanceId: string): number | undefined;
    readonly gateways: GatewayProcesses | undefined;
  };
  readonly slack: {
    readonly url: string;
    readonly apiUrl: string;
    readonly token: string;
    readonly server: SlackServer | undefined;
    channel: SlackServer["channel"];
  };
  readonly clock: SandboxClock;
  readonly events: {
    published(pattern?: Record<string, unknown>): SandboxEvent[];
    putRule(rule: BusRule): void;
    readonly bus: LocalEventBus;
  };
  readonly stepFunctions: LocalStepFunctions;
  readonly schedules: Schedules;
  /** The dead-letter queue (SQS model): in-process functions get its URL as `CLAWOPS_DLQ_URL`. */
  readonly deadLetters: {
    readonly url: string;
    /** The records in the queue now, parsed (what `clawops alerts replay` would read). */
    records(): DeadLetterRecord[];
  };
  readonly dynamo: {
    readonly endpoint: string;
    readonly table: string;
    readonly client: DynamoDBClient | undefined;
  };
  /** Ends every process and server and removes the interceptor; idempotent. */
  close(): Promise<void>;
}

async function defaultConfig(): Promise<ClawopsConfigInput> {
  const module = (await import("../../../clawops.config.js")) as { default: ClawopsConfigInput };
  return module.default;
}

/** Starts a sandbox: simulated AWS behind the client factory, real gateway processes, Slack and DynamoDB servers. */
export async function createSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const config = resolveConfig(
    options.config ?? (await defaultConfig()),
    SANDBOX_STAGE,
    options.configSource,
  );
  const clock = new SandboxClock({ speed: options.clockSpeed ?? 0 });
  const gateways = options.gateways === false ? undefined : new GatewayProcesses();
  const models = new SimulatedAws({
    clock,
    region: config.app.region,
    timings: options.timings,
    gateways,
    prober: probeGateway,
    maxRealProbeTimeoutMs: options.maxRealProbeTimeoutMs ?? 2_000,
  });
  models.world.gatewayPath = config.settings.gateway.path;
  const bus = new LocalEventBus(clock, options.bus);
  models.world.onEvent((event) => bus.publish(event));
  const stepFunctions = new LocalStepFunctions(models.world, (call) => models.simulator.handle(call));
  models.simulator.register(sfnModel(stepFunctions));
  const schedules = new Schedules(clock);
  for (const [target, fault] of Object.entries(options.faults ?? {})) models.simulator.inject(target, fault);
  for (const rule of options.rules ?? []) bus.putRule(rule);

  const closers: (() => Promise<unknown> | unknown)[] = [];
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      process.off("SIGINT", onSignal);
      stepFunctions.abortAll();
      schedules.closeAll();
      models.stop();
      clock.stop();
      const results = await Promise.allSettled([...closers].reverse().map((fn) => fn()));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed) throw failed.reason;
    })();
    return closed;
  };
  const onSignal = () => {
    void close().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  closers.push(models.install());
  if (gateways) closers.push(() => gateways.closeAll());

  try {
    let slack: SlackServer | undefined;
    let dynamo: Sandbox["dynamo"] = { endpoint: "", table: "", client: undefined };
    if (options.servers !== false) {
      const channels = new Set([
        config.settings.slack.defaultChannel,
        ...config.settings.slack.routes.map((r) => r.channel),
      ]);
      slack = await startSlackServer({
        channels: Object.fromEntries([...channels].map((name, i) => [name, `C0SANDBOX${i}`])),
      });
      // The sandbox's clients wait Retry-After on the sandbox clock, so the per-channel limit reads that clock
      // (on real time, a clock running ahead would see every retry still limited and exhaust them); and the
      // clock does not move while the server is answering a request.
      slack.limitRate({}, () => clock.now());
      const answering = slack.onRequest((answered) => void clock.track(answered));
      closers.push(() => answering());
      closers.push(() => slack?.close());
      const local = await startDynamo();
      closers.push(() => local.close());
      const proxy = dynamoDbProxyModel(local.endpoint, config.app.region);
      models.simulator.register(proxy);
      closers.push(() => proxy.close());
      const client = new DynamoDBClient({
        endpoint: local.endpoint,
        region: config.app.region,
        credentials: { accessKeyId: "sandbox", secretAccessKey: "sandbox" },
      });
      closers.push(() => client.destroy());
      const table = `${config.app.name}-${SANDBOX_STAGE}-state`;
      await createStateTable(client, table);
      dynamo = { endpoint: local.endpoint, table, client };
    }

    const size =
      options.fleetSize ??
      (config.settings.fleet.mode === "reference" ? config.settings.fleet.desiredCapacity : 2);
    const description = seedFleet(models, config, size);
    // The fleet's file systems as real directories (soul documents, runtime data) and the daily backup.
    await seedFleetFiles(models, config, description);
    const group = models.autoScaling.group(description.autoScalingGroupName);
    const describe = (member: GroupMember, instance: SimInstance | undefined): FleetInstance => ({
      instanceId: member.instanceId,
      lifecycleState: member.lifecycleState,
      healthStatus: member.healthStatus,
      ec2State: instance?.state ?? "unknown",
      agentRegistered: instance?.agentRegistered ?? false,
      gatewayPort: instance?.gatewayPort,
    });

    const deadLetterUrl = models.sqs.create(`${config.app.name}-${SANDBOX_STAGE}-dead-letters`);
    return {
      config,
      description,
      aws: {
        models,
        calls: (service, command) => models.simulator.calls(service, command),
        inject: (target, fault) => models.simulator.inject(target, fault),
      },
      fleet: {
        gateways,
        instances: () =>
          [...group.members.values()].map((m) => describe(m, models.world.instances.get(m.instanceId))),
        async kill(instanceId) {
          if (!gateways) throw new Error("this sandbox runs no gateway processes");
          await gateways.kill(instanceId);
        },
        scaleOut(n) {
          group.max = Math.max(group.max, group.desired + n);
          group.desired += n;
          models.autoScaling.reconcile(group);
        },
        gatewayPort: (instanceId) => models.world.instances.get(instanceId)?.gatewayPort,
      },
      slack: {
        url: slack?.url ?? "",
        apiUrl: slack?.apiUrl ?? "",
        token: slack?.token ?? "",
        server: slack,
        channel: (name) => {
          if (!slack) throw new Error("this sandbox runs no Slack server");
          return slack.channel(name);
        },
      },
      clock,
      events: { published: (pattern) => bus.published(pattern), putRule: (rule) => bus.putRule(rule), bus },
      stepFunctions,
      schedules,
      deadLetters: {
        url: deadLetterUrl,
        records: () =>
          (models.sqs.queues.get(deadLetterUrl)?.messages ?? []).map(
            (m) => JSON.parse(m.body) as DeadLetterRecord,
          ),
      },
      dynamo,
      close,
    };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}

export { LifecycleState };
