import { ClawopsError, PermanentError } from "../errors.js";

/** One failing field of an event: where it is and what was wrong with it. */
export interface EventValidationIssue {
  /** Dotted path from the event's root, e.g. `detail.EC2InstanceId`; `(root)` for the event itself. */
  readonly path: string;
  /** What was expected and what came, e.g. `expected string, got undefined`. */
  readonly problem: string;
}

/**
 * An event did not match its schema. Permanent: the same event fails the same way again, so it goes to
 * the dead-letter queue instead of into retries. The message lists every failing path; `issues` has
 * them as data and `cause` keeps the schema library's own error.
 */
export class EventValidationError extends PermanentError {
  readonly issues: readonly EventValidationIssue[];

  constructor(message: string, issues: readonly EventValidationIssue[], options?: ErrorOptions) {
    super(message, options);
    this.name = "EventValidationError";
    this.issues = issues;
  }
}

/**
 * An EventBridge event pattern is malformed (unknown operator, a leaf that is not an array, an empty
 * list...). EventBridge would refuse it at PutRule time; we refuse it earlier, naming the path.
 */
export class EventPatternError extends ClawopsError {
  /** Dotted path of the offending part of the pattern; `(root)` for the pattern itself. */
  readonly path: string;

  constructor(path: string, problem: string, options?: ErrorOptions) {
    super(`Invalid event pattern at ${path}: ${problem}`, options);
    this.name = "EventPatternError";
    this.path = path;
  }
}
