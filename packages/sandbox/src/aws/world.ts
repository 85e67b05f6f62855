import { createHash } from "node:crypto";
import type { Clock } from "../clock.js";

/** An EventBridge event as the bus delivers it (AWS's envelope). */
export interface SandboxEvent {
  readonly version: "0";
  readonly id: string;
  readonly "detail-type": string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Record<string, unknown>;
}

/** What a model hands to `publish`: the envelope's own fields are filled in by the world. */
export type NewEvent = Pick<SandboxEvent, "source" | "detail-type" | "detail"> & {
  readonly resources?: readonly string[];
  readonly time?: string;
};

/** The gateway process manager as the models use it (`GatewayProcesses` satisfies it). */
export interface GatewayProcessesLike {
  start(
    instanceId: string,
    options?: { port?: number; path?: string; bootDelayMs?: number; mode?: string },
  ): Promise<{ port: number; pid: number }>;
  kill(instanceId: string): Promise<unknown> | unknown;
  stop(instanceId: string): Promise<unknown> | unknown;
  portOf(instanceId: string): number | undefined;
  /** Whether the instance's gateway process runs now (`undefined`: never started). */
  statusOf(instanceId: string): { readonly running: boolean } | undefined;
}

/** A real HTTP probe of a loopback port, the answer shaped like the probe script's output. */
export type GatewayProber = (
  port: number,
  path: string,
  timeoutMs: number,
) => Promise<{ curlExit: number; status: number; body: string }>;

/** EC2 instance states (`State.Name`) with their codes. */
export const InstanceStateCode = { pending: 0, running: 16, "shutting-down": 32, terminated: 48 } as const;
export type InstanceStateName = keyof typeof InstanceStateCode;

/** One simulated EC2 instance: what EC2, Auto Scaling and SSM all see. */
export interface SimInstance {
  readonly instanceId: string;
  readonly imageId: string;
  readonly instanceType: string;
  readonly launchTime: number;
  readonly availabilityZone: string;
  readonly subnetId: string;
  readonly vpcId: string;
  readonly privateIpAddress: string;
  readonly securityGroupIds: string[];
  readonly launchTemplate?: { id: string; name: string; version: string };
  readonly iamInstanceProfileArn?: string;
  readonly tags: Record<string, string>;
  state: InstanceStateName;
  /** IMDS settings (`MetadataOptions`); drift can be injected with ModifyInstanceMetadataOptions. */
  metadataOptions: {
    HttpTokens: "required" | "optional";
    HttpEndpoint: "enabled" | "disabled";
    HttpPutResponseHopLimit: number;
  };
  /** The SSM agent has registered: Run Command reaches the instance. */
  agentRegistered: boolean;
  /** Loopback port of this instance's gateway process, once started. */
  gatewayPort?: number;
}

/** How long the physical steps of an instance take on the sandbox clock. */
export interface InstanceTimings {
  /** pending → running. @default 5_000 */
  readonly runningAfterMs: number;
  /** Launch → SSM agent registered (AWS: can exceed two minutes). @default 30_000 */
  readonly agentAfterMs: number;
  /** Launch → gateway process started (the instance's boot delay). @default 20_000 */
  readonly gatewayAfterMs: number;
  /** shutting-down → terminated. @default 5_000 */
  readonly terminatedAfterMs: number;
}

export const DEFAULT_TIMINGS: InstanceTimings = {
  runningAfterMs: 5_000,
  agentAfterMs: 30_000,
  gatewayAfterMs: 20_000,
  terminatedAfterMs: 5_000,
};

/** What to launch. */
export type LaunchSpec = Omit<
  SimInstance,
  | "instanceId"
  | "launchTime"
  | "state"
  | "agentRegistered"
  | "gatewayPort"
  | "privateIpAddress"
  | "metadataOptions"
> & { metadataOptions?: SimInstance["metadataOptions"] };

/**
 * The state every model shares: the clock, deterministic ids, the instances and their physics (boot,
 * agent registration, the gateway process), and the event outlet the local bus listens on.
 */
export class SandboxWorld {
  readonly account: string;
  readonly region: string;
  readonly instances = new Map<string, SimInstance>();
  readonly timings: InstanceTimings;
  /** Errors of background work (a gateway that failed to start): shown, never swallowed. */
  readonly problems: string[] = [];
  gateways: GatewayProcessesLike | undefined;
  gatewayPath = "/health";
  private readonly counters = new Map<string, number>();
  private readonly listeners: ((event: SandboxEvent) => void)[] = [];

  constructor(
    readonly clock: Clock,
    options: { region?: string; account?: string; timings?: Partial<InstanceTimings>; seed?: string } = {},
  ) {
    this.region = options.region ?? "us-east-1";
    this.account = options.account ?? "123456789012";
    this.timings = { ...DEFAULT_TIMINGS, ...options.timings };
    this.seed = options.seed ?? "clawops";
  }

  private readonly seed: string;

  /** A deterministic hex id: `id("i", 17)` → `i-0f3a...`. */
  id(prefix: string, length = 17): string {
    return `${prefix}-${this.hex(prefix, length)}`;
  }

  /** A deterministic UUID (lifecycle tokens, command ids, event ids). */
  uuid(kind = "uuid"): string {
    const h = this.hex(kind, 32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  arn(service: string, resource: string): string {
    return `arn:aws:${service}:${this.region}:${this.account}:${resource}`;
  }

  /** ISO time on the sandbox clock, seconds precision like EventBridge's `time`. */
  isoNow(): string {
    return `${new Date(this.clock.now()).toISOString().slice(0, 19)}Z`;
  }

  onEvent(listener: (event: SandboxEvent) => void): void {
    this.listeners.push(listener);
  }

  /** Emits an AWS event (the envelope filled in) to whoever listens: the local bus. */
  publish(event: NewEvent): SandboxEvent {
    const full: SandboxEvent = {
      version: "0",
      id: this.uuid("event"),
      "detail-type": event["detail-type"],
      source: event.source,
      account: this.account,
      time: event.time ?? this.isoNow(),
      region: this.region,
      resources: event.resources ?? [],
      detail: event.detail,
    };
    for (const listener of this.listeners) listener(full);
    return full;
  }

  /** Runs a new instance: pending, then running; the SSM agent registers and the gateway starts later. */
  launchInstance(spec: LaunchSpec): SimInstance {
    const n = this.instances.size;
    const instance: SimInstance = {
      ...spec,
      instanceId: this.id("i"),
      launchTime: this.clock.now(),
      state: "pending",
      privateIpAddress: `10.40.${Math.floor(n / 250)}.${(n % 250) + 4}`,
      metadataOptions: spec.metadataOptions ?? {
        HttpTokens: "required",
        HttpEndpoint: "enabled",
        HttpPutResponseHopLimit: 1,
      },
      agentRegistered: false,
    };
    this.instances.set(instance.instanceId, instance);
    const alive = () => instance.state === "pending" || instance.state === "running";
    this.clock.schedule(this.timings.runningAfterMs, () => {
      if (instance.state === "pending") instance.state = "running";
    });
    this.clock.schedule(this.timings.agentAfterMs, () => {
      if (alive()) instance.agentRegistered = true;
    });
    this.clock.schedule(this.timings.gatewayAfterMs, () => {
      if (alive()) void this.startGateway(instance);
    });
    return instance;
  }

  /** Shuts an instance down: its gateway process stops, the agent goes away, then it is terminated. */
  terminateInstance(instanceId: string): void {
    const instance = this.instances.get(instanceId);
    if (!instance || instance.state === "terminated" || instance.state === "shutting-down") return;
    instance.state = "shutting-down";
    instance.agentRegistered = false;
    if (this.gateways && instance.gatewayPort !== undefined) {
      void this.clock.track(Promise.resolve(this.gateways.stop(instanceId))).catch((error: Error) => {
        this.problems.push(`stopping the gateway of ${instanceId}: ${error.message}`);
      });
    }
    this.clock.schedule(this.timings.terminatedAfterMs, () => {
      instance.state = "terminated";
    });
  }

  private async startGateway(instance: SimInstance): Promise<void> {
    if (!this.gateways) return;
    try {
      const started = await this.clock.track(
        this.gateways.start(instance.instanceId, { path: this.gatewayPath, bootDelayMs: 0 }),
      );
      instance.gatewayPort = started.port;
    } catch (error) {
      this.problems.push(`starting the gateway of ${instance.instanceId}: ${(error as Error).message}`);
    }
  }

  private hex(kind: string, length: number): string {
    const n = (this.counters.get(kind) ?? 0) + 1;
    this.counters.set(kind, n);
    let out = "";
    for (let i = 0; out.length < length; i++) {
      out += createHash("sha256").update(`${this.seed}:${kind}:${n}:${i}`).digest("hex");
    }
    return out.slice(0, length);
  }
}
