import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { metrics, setMetricsSink } from "@clawops/core";
import { setClientInterceptor } from "@clawops/core/aws";
import { GATEWAY_DRAIN_MARKER, GATEWAY_PROBE_MARKER } from "@clawops/core/lifecycle";
import type { Clock } from "../clock.js";
import { autoScalingModel } from "./autoscaling.js";
import { AutoScalingEngine } from "./autoscaling-engine.js";
import { type BackupModel, backupModel } from "./backup.js";
import { type CloudWatchModel, cloudWatchModel } from "./cloudwatch.js";
import { type Ec2Data, ec2Model, emptyEc2Data } from "./ec2.js";
import { type EfsModel, efsModel, lambdaMountModel } from "./efs.js";
import { eventBridgeModel } from "./eventbridge.js";
import { gatewayDrainSimulator, gatewayProbeSimulator } from "./gateway-probe.js";
import { type IamModel, iamModel } from "./iam.js";
import { type LambdaModel, lambdaModel } from "./lambda.js";
import { lambdaWithFileSystems } from "./lambda-file-systems.js";
import { type LogsModel, logsModel } from "./logs.js";
import { type SecretsManagerModel, secretsManagerModel } from "./secretsmanager.js";
import { AwsSimulator } from "./simulator.js";
import { type SqsModel, sqsModel } from "./sqs.js";
import { type SsmModel, type SsmOptions, ssmModel } from "./ssm.js";
import {
  type GatewayProber,
  type GatewayProcessesLike,
  type InstanceTimings,
  SandboxWorld,
} from "./world.js";

export interface SimulatedAwsOptions {
  readonly clock: Clock;
  /** @default "us-east-1" */
  readonly region?: string;
  readonly timings?: Partial<InstanceTimings>;
  readonly ssm?: SsmOptions;
  /** Real gateway processes started on each instance's boot; without them gateways refuse connections. */
  readonly gateways?: GatewayProcessesLike;
  /** The real HTTP probe the gateway-health script simulator uses. */
  readonly prober?: GatewayProber;
  /** Caps a probe's real wait for a hanging gateway (tests). @default the script's curl --max-time */
  readonly maxRealProbeTimeoutMs?: number;
}

/**
 * The simulated AWS account: one world, every service model registered on one simulator. `install()` puts
 * it behind the client factory (and Powertools' EMF output into CloudWatch) until the returned function runs.
 */
export class SimulatedAws {
  readonly world: SandboxWorld;
  readonly simulator: AwsSimulator;
  readonly autoScaling: AutoScalingEngine;
  readonly ssm: SsmModel;
  readonly cloudWatch: CloudWatchModel;
  readonly ec2: Ec2Data;
  readonly secrets: SecretsManagerModel;
  readonly iam: IamModel;
  readonly logs: LogsModel;
  readonly lambda: LambdaModel;
  /** EFS with file systems as directories under `fileRoot` (removed by `stop()`). */
  readonly efs: EfsModel;
  readonly backup: BackupModel;
  /** SQS: the dead-letter queue every in-process function sends its permanent failures to. */
  readonly sqs: SqsModel;
  /** The host directory behind the simulated file systems and recovery points. */
  readonly fileRoot: string;
  /** Where the drill verifier's EFS mount appears (a link to an access point's directory while attached). */
  readonly verifierMountPath: string;

  constructor(options: SimulatedAwsOptions) {
    this.world = new SandboxWorld(options.clock, { region: options.region, timings: options.timings });
    this.world.gateways = options.gateways;
    this.simulator = new AwsSimulator(options.clock, { region: this.world.region });
    this.autoScaling = new AutoScalingEngine(this.world);
    this.ssm = ssmModel(this.world, options.ssm);
    this.cloudWatch = cloudWatchModel(this.world);
    this.ec2 = emptyEc2Data();
    this.secrets = secretsManagerModel(this.world);
    this.iam = iamModel(this.world);
    this.logs = logsModel(this.world);
    this.lambda = lambdaModel(this.world);
    this.fileRoot = mkdtempSync(join(tmpdir(), "clawops-sandbox-files-"));
    // EFS puts a mount target in its subnet's zone (one per AZ): the zones are the seeded EC2 subnets'.
    const subnetZones = new Proxy({} as Record<string, string>, {
      get: (_, id) => this.ec2.subnets.find((s) => s.SubnetId === id)?.AvailabilityZone as string | undefined,
    });
    this.efs = efsModel(this.world, { root: join(this.fileRoot, "efs"), subnetZones });
    this.verifierMountPath = join(this.fileRoot, "mnt", "drill");
    mkdirSync(join(this.fileRoot, "mnt"), { recursive: true });
    this.backup = backupModel(this.world, this.efs, { root: join(this.fileRoot, "backup") });
    this.sqs = sqsModel(this.world);
    if (options.prober) {
      this.ssm.onScript(
        GATEWAY_PROBE_MARKER,
        gatewayProbeSimulator(this.world, options.prober, {
          maxRealTimeoutMs: options.maxRealProbeTimeoutMs,
        }),
      );
    }
    this.ssm.onScript(GATEWAY_DRAIN_MARKER, gatewayDrainSimulator(this.world));
    this.simulator
      .register(autoScalingModel(this.world, this.autoScaling))
      .register(ec2Model(this.world, this.ec2))
      .register(this.ssm)
      .register(this.cloudWatch)
      .register(this.secrets)
      .register(eventBridgeModel(this.world))
      .register(this.iam)
      .register(this.logs)
      .register(
        lambdaWithFileSystems(
          this.lambda,
          lambdaMountModel(this.world, this.efs, { mountPath: this.verifierMountPath }),
        ),
      )
      .register(this.efs)
      .register(this.backup)
      .register(this.sqs);
  }

  /** Routes every factory-made client to the models and EMF to CloudWatch; returns the uninstaller. */
  install(): () => void {
    const restoreClients = setClientInterceptor(this.simulator);
    const restoreMetrics = setMetricsSink(this.cloudWatch.emfSink);
    // Powertools prints EMF through its own `console` (the `logger` option only gets its warnings), so the
    // sandbox swaps that console of the shared singleton too, as CloudWatch Logs would pick the line up.
    const emf = metrics as unknown as { console: unknown };
    const previousConsole = emf.console;
    emf.console = this.cloudWatch.emfSink;
    return () => {
      emf.console = previousConsole;
      restoreMetrics();
      restoreClients();
    };
  }

  /** Stops the models' own timers (alarm evaluation) and removes the file systems' directories. */
  stop(): void {
    this.cloudWatch.stop();
    rmSync(this.fileRoot, { recursive: true, force: true });
  }
}
