import { ClawopsError } from "../errors.js";

/** Base of the failure drill's errors; the class names are what Step Functions Catches on. */
export class FailureDrillError extends ClawopsError {
  constructor(message: string, options?: ErrorOptions & { retryable?: boolean }) {
    super(message, options);
    this.name = "FailureDrillError";
  }
}

/** The drill may not run now (too few healthy gateways, another drill, an instance refresh). */
export class FailureDrillRefused extends FailureDrillError {
  constructor(
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`failure drill refused: ${reason}`, options);
    this.name = "FailureDrillRefused";
  }
}
