import { ClawopsError } from "@clawops/core";

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
