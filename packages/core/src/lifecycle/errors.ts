import { ClawopsError } from "../errors.js";

/**
 * The one place that knows how AWS reports lifecycle-hook and Run Command failures. Everything else
 * works with the named classes below; no other module matches on an AWS error's name or message.
 * The class names are what Step Functions sees (`errorType`): the ASL files Retry and Catch on them.
 */
export class LaunchGateError extends ClawopsError {
  constructor(message: string, options?: ErrorOptions & { retryable?: boolean }) {
    super(message, options);
    this.name = "LaunchGateError";
  }
}

/**
 * The lifecycle action no longer exists: it expired, was completed (by a duplicate gate, the reconciler or
 * an operator) or never existed. AWS answers all three with the same 400 `ValidationError` ("No active
 * Lifecycle Action found with token/instance ID"), so they cannot be told apart: report once, never retry.
 */
export class LifecycleActionGone extends LaunchGateError {
  constructor(
    readonly instanceId: string,
    options?: ErrorOptions,
  ) {
    super(`no active lifecycle action for ${instanceId} (expired, already completed or unknown)`, options);
    this.name = "LifecycleActionGone";
  }
}

/**
 * The gate's lifecycle action is gone because the group terminated the waiting instance (a scale in picks
 * instances not yet InService first; an operator) while, by the gate's clock, its hook could not have expired
 * (`goneActionCause` "terminated"). Nothing went wrong: it keeps the name LifecycleActionGone, so the launch gate
 * ends quietly (ActionGone) and the task logs it at info.
 */
export class LifecycleActionTerminated extends LifecycleActionGone {
  constructor(
    instanceId: string,
    readonly lifecycleState: string | undefined,
    options?: ErrorOptions,
  ) {
    super(instanceId, options);
    this.message = `the lifecycle action of ${instanceId} ended with its instance's termination (instance ${lifecycleState ?? "no longer in the group"}) while its hook could not have expired`;
  }
}

/**
 * The gate's lifecycle action is gone and the instance was not admitted (it is terminating, terminated, no longer
 * in the group, or still waiting): the hook timed out before the gate finished and AWS applied its default
 * result. Raised by the gate's heartbeat and CONTINUE after `goneActionCause` looked at the instance; the launch
 * gate publishes it as LifecycleAbandoned, once, and never retries it.
 */
export class LifecycleHookExpired extends LaunchGateError {
  constructor(
    readonly instanceId: string,
    readonly lifecycleState: string | undefined,
    options?: ErrorOptions,
  ) {
    super(
      `the lifecycle action of ${instanceId} expired before the gate finished (instance ${lifecycleState ?? "no longer in the group"})`,
      options,
    );
    this.name = "LifecycleHookExpired";
  }
}

/**
 * The gate's ABANDON found its launch action gone with the instance on its way out (terminating, terminated, or no
 * longer in the group or its pool): the launch was refused all the same, by this gate's own earlier attempt (its
 * answer lost: the function timed out after CompleteLifecycleAction, or the SDK retried a call whose response was
 * lost), another gate's ABANDON, or AWS applying the hook's default result at its timeout. Raised by the Complete
 * task after `goneActionCause` looked at the instance; the launch gate publishes it as LifecycleAbandoned, once
 * (another gate that ABANDONed may announce it too), and never retries it.
 */
export class LaunchAlreadyAbandoned extends LaunchGateError {
  constructor(
    readonly instanceId: string,
    readonly lifecycleState: string | undefined,
    options?: ErrorOptions,
  ) {
    super(
      `the launch of ${instanceId} was refused: the gate's ABANDON found its lifecycle action already completed (instance ${lifecycleState ?? "no longer in the group"}), by an earlier attempt of this gate whose answer was lost, another gate's ABANDON, or the hook's timeout (AWS applied its default result)`,
      options,
    );
    this.name = "LaunchAlreadyAbandoned";
  }
}

/**
 * The gate's lifecycle action is gone and the instance's lifecycle state could not be read (DescribeAutoScalingInstances
 * or DescribeWarmPool throttled, failing, or denied): nobody can say whether another gate admitted the instance or
 * the hook expired. The launch gate retries it like throttling, then publishes it as LifecycleAbandoned with that
 * reason: an expired hook must not pass silently, and a gate whose action is gone has nothing left to do.
 */
export class LifecycleStateUnknown extends LaunchGateError {
  constructor(
    readonly instanceId: string,
    options?: ErrorOptions,
  ) {
    super(
      `the lifecycle action of ${instanceId} is gone and its lifecycle state could not be read (${causeText(options?.cause)})`,
      options,
    );
    this.name = "LifecycleStateUnknown";
  }
}

function causeText(cause: unknown): string {
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
}

/**
 * `ResourceContentionFault` (HTTP 500, query code `ResourceContention`): Auto Scaling is busy with the group; the
 * same call succeeds later.
 */
export class LifecycleContention extends LaunchGateError {
  constructor(instanceId: string, options?: ErrorOptions) {
    super(`Auto Scaling reported contention while acting on ${instanceId}`, { ...options, retryable: true });
    this.name = "LifecycleContention";
  }
}

/** Any AWS throttling answer (`ThrottlingException`, `Throttling`, ...): back off and retry. */
export class AwsThrottled extends LaunchGateError {
  constructor(operation: string, options?: ErrorOptions) {
    super(`${operation} was throttled`, { ...options, retryable: true });
    this.name = "AwsThrottled";
  }
}

/**
 * AWS failed on its side (HTTP 5xx: `InternalServerError`, `InternalFailure`, `ServiceUnavailable`, ...): the same
 * call usually succeeds a moment later. Retried with backoff like throttling.
 */
export class AwsUnavailable extends LaunchGateError {
  constructor(operation: string, options?: ErrorOptions) {
    super(`${operation} failed on AWS's side`, { ...options, retryable: true });
    this.name = "AwsUnavailable";
  }
}

/**
 * SSM answers `InvalidInstanceId` until the instance's agent has registered (minutes on a cold boot) and
 * again once the instance is gone: the caller decides which by looking at the group.
 */
export class InstanceNotRegistered extends LaunchGateError {
  constructor(
    readonly instanceId: string,
    options?: ErrorOptions,
  ) {
    super(`SSM does not know ${instanceId} (agent not registered yet, or instance gone)`, options);
    this.name = "InstanceNotRegistered";
  }
}

/**
 * The command's result is not there yet: right after SendCommand, `GetCommandInvocation` answers
 * `InvocationDoesNotExist` for a while. Retry the read (never the send).
 */
export class ProbeNotReady extends LaunchGateError {
  constructor(commandId: string, options?: ErrorOptions) {
    super(`the invocation of command ${commandId} is not available yet`, { ...options, retryable: true });
    this.name = "ProbeNotReady";
  }
}

/** `SetInstanceHealth` with ShouldRespectGracePeriod refused: the instance is still in its grace period. */
export class InstanceInGracePeriod extends LaunchGateError {
  constructor(
    readonly instanceId: string,
    options?: ErrorOptions,
  ) {
    super(`${instanceId} is still within the health check grace period`, options);
    this.name = "InstanceInGracePeriod";
  }
}

/**
 * A monitor run that counted, published and saved what it could, but failed some of its calls after the SDK's
 * retries (SendCommand of the next probe, SetInstanceHealth): the instances it could not probe are not probed
 * next run, the marks it could not make are tried again. Not retryable: a Lambda retry would run the monitor again
 * on the state it just saved (a second datapoint, a probe collected seconds after it was sent); it goes to the
 * dead-letter queue instead, so its alarm shows the monitor degraded.
 */
export class MonitorRunIncomplete extends LaunchGateError {
  constructor(
    readonly failedCalls: readonly string[],
    options?: ErrorOptions,
  ) {
    super(`gateway health monitor run incomplete: ${failedCalls.join("; ")}`, {
      ...options,
      retryable: false,
    });
    this.name = "MonitorRunIncomplete";
  }
}

const THROTTLING = new Set([
  "ThrottlingException",
  "Throttling",
  "TooManyRequestsException",
  "RequestLimitExceeded",
]);

function awsName(error: unknown): string {
  return error instanceof Error ? error.name : "";
}

function awsMessage(error: unknown): string {
  return error instanceof Error ? error.message : "";
}

/** The SDK marks a service's 5xx answers `$fault: "server"` and keeps the status in `$metadata`. */
function isServerFault(error: unknown): boolean {
  const aws = error as { $fault?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return aws?.$fault === "server" || (aws?.$metadata?.httpStatusCode ?? 0) >= 500;
}

/**
 * Throttling becomes AwsThrottled and a 5xx AwsUnavailable (both retried by the state machines); anything else
 * passes through untouched. The classifiers below fall back to it after the errors specific to their calls.
 */
export function classifyTransientAwsError(error: unknown, operation: string): unknown {
  if (THROTTLING.has(awsName(error))) return new AwsThrottled(operation, { cause: error });
  if (isServerFault(error)) return new AwsUnavailable(operation, { cause: error });
  return error;
}

/** Classifies an error of RecordLifecycleActionHeartbeat / CompleteLifecycleAction. Unknown errors pass through. */
export function classifyLifecycleError(error: unknown, instanceId: string): unknown {
  const name = awsName(error);
  if (name === "ValidationError" && /No active Lifecycle Action found/i.test(awsMessage(error))) {
    return new LifecycleActionGone(instanceId, { cause: error });
  }
  // The SDK names the error `ResourceContentionFault`; the service's query code is `ResourceContention`.
  if (name === "ResourceContentionFault" || name === "ResourceContention")
    return new LifecycleContention(instanceId, { cause: error });
  return classifyTransientAwsError(error, "Auto Scaling lifecycle call");
}

/** Classifies an error of SendCommand / GetCommandInvocation / ListCommandInvocations. */
export function classifySsmError(
  error: unknown,
  context: { instanceId?: string; commandId?: string },
): unknown {
  const name = awsName(error);
  if (name === "InvalidInstanceId")
    return new InstanceNotRegistered(context.instanceId ?? "?", { cause: error });
  if (name === "InvocationDoesNotExist") return new ProbeNotReady(context.commandId ?? "?", { cause: error });
  return classifyTransientAwsError(error, "SSM Run Command");
}

/** Classifies an error of SetInstanceHealth. */
export function classifyInstanceHealthError(error: unknown, instanceId: string): unknown {
  const name = awsName(error);
  // AWS words it as a ValidationError about the grace period / the instance's age; nothing else marks it.
  if (name === "ValidationError" && /grace period|health check grace/i.test(awsMessage(error))) {
    return new InstanceInGracePeriod(instanceId, { cause: error });
  }
  return classifyTransientAwsError(error, "SetInstanceHealth");
}
