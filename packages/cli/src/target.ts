import type { AlertRouterSettings } from "@clawops/core/alerts";
import type { FleetDescription } from "@clawops/core/fleet";

/** The functions a command may call, by role (the deployed function name or the in-process handler). */
export const TargetFunction = {
  Readiness: "readiness",
  EvalsIngest: "evals",
  AlertRouter: "alert-router",
} as const;
export type TargetFunction = (typeof TargetFunction)[keyof typeof TargetFunction];

/** Where a stage's resources are (from the SSM parameters under `/clawops/<stage>/`). */
export interface TargetResources {
  readonly stateTable: string;
  readonly deadLetterQueueUrl?: string;
  readonly drillStateMachineArn?: string;
  readonly fallbackTopicArn?: string;
}

/**
 * What a command runs against: a deployed stage or the in-process sandbox. Commands only use this interface
 * and AWS clients from the factory (which the sandbox answers), so both run the same code.
 */
export interface Target {
  readonly kind: "stage" | "sandbox";
  readonly stage: string;
  readonly region: string;
  readonly description: FleetDescription;
  readonly resources: TargetResources;
  /**
   * An AWS client in the target's region (made once per kind): every client a command uses comes from here, so
   * `--region` and the config's `app.region` count, not only AWS_REGION. The sandbox answers them all.
   */
  // biome-ignore lint/suspicious/noExplicitAny: the SDK's client config type differs per service.
  client<C>(Ctor: new (config: any) => C): C;
  /** Invokes a clawops function synchronously and returns its result. */
  invoke(fn: TargetFunction, payload: unknown): Promise<unknown>;
  /** The alert router's settings as deployed (routes, channels, the Slack API URL). */
  alertRouterSettings(): Promise<AlertRouterSettings>;
  /** The account id (test alert events carry it). */
  account(): Promise<string>;
  /** Lets time pass while `work` runs: the real clock for a stage, the sandbox clock in the sandbox. */
  during<T>(work: Promise<T>, limitMs?: number): Promise<T>;
  /** Waits `ms` on the target's clock. */
  sleep(ms: number): Promise<void>;
  /** Now on the target's clock (epoch ms). */
  now(): number;
  /** Releases what the target holds (the sandbox's processes and servers); idempotent. */
  close(): Promise<void>;
}
