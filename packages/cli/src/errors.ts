import { ClawopsError } from "@clawops/core";
import type { AwsCallFailure } from "./aws-errors.js";

/**
 * An error meant for the person at the terminal: its message says what to do, the CLI prints it without a
 * stack and exits 2. Anything else is a bug: printed with its stack, exit 1.
 */
export class CliUserError extends ClawopsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CliUserError";
  }
}

/** The default credential chain found nothing. */
export class NoCredentialsError extends CliUserError {
  constructor(options?: ErrorOptions) {
    super("no AWS credentials found: run aws sso login or set AWS_PROFILE", options);
    this.name = "NoCredentialsError";
  }
}

/** The stage's parameters under `/clawops/<stage>/` are missing: it was never deployed in that region. */
export class StageNotDeployedError extends CliUserError {
  readonly stage: string;
  readonly region: string;
  constructor(stage: string, region: string, missing: readonly string[], options?: ErrorOptions) {
    super(
      `stage ${stage} is not deployed in ${region}: run npx sst deploy --stage ${stage}` +
        (missing.length > 0 ? ` (missing SSM parameters: ${missing.join(", ")})` : ""),
      options,
    );
    this.name = "StageNotDeployedError";
    this.stage = stage;
    this.region = region;
  }
}

/** The command needs something this target does not have (a function, a flow not deployed or installed). */
export class NotAvailableError extends CliUserError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "NotAvailableError";
  }
}

/**
 * A drill the CLI started but cannot follow to its end (AWS denied reading its execution, the credentials
 * expired, AWS could not be reached or answered with an error): the drill runs on in Step Functions. The drill command reports it with the execution ARN and exit 1,
 * never as a drill that could not start.
 */
export class DrillNotFollowedError extends CliUserError {
  /** `restore drill cli-20261126T101500Z`, `failure drill` */
  readonly drill: string;
  readonly executionArn: string;
  /** Why the CLI stopped following, with AWS's own words (`AWS denied ... (AccessDeniedException: ...)`). */
  readonly reason: string;
  /** What stopped it: a permission (`denied`), the credentials (`expired`), the network, or AWS's answer. */
  readonly kind: AwsCallFailure["kind"];
  /** The permissions following a drill takes, for the operator's role. */
  readonly permissions: string;
  constructor(
    drill: string,
    executionArn: string,
    reason: string,
    kind: AwsCallFailure["kind"],
    permissions: string,
    options?: ErrorOptions,
  ) {
    super(`${drill} was started (${executionArn}) but cannot be followed: ${reason}`, options);
    this.name = "DrillNotFollowedError";
    this.drill = drill;
    this.executionArn = executionArn;
    this.reason = reason;
    this.kind = kind;
    this.permissions = permissions;
  }
}
