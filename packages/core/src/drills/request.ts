/**
 * True when the drill asked to keep its restored file systems: `clawops drill --keep` (`{ keep: true }`), or a
 * restore-testing job's validation (its input is AWS Backup's event: AWS deletes that file system itself).
 * Anything else, including no request at all, removes them.
 */
export function keepsFileSystems(request: unknown): boolean {
  if (typeof request !== "object" || request === null) return false;
  const { keep, source } = request as { keep?: unknown; source?: unknown };
  return keep === true || source === "aws.backup";
}

/** An ended execution's request, or why it cannot be read. */
export type ExecutionRequest =
  | { readonly request: unknown; readonly unreadable?: undefined }
  | { readonly request?: undefined; readonly unreadable: string };

/**
 * The request a drill execution started with, from Step Functions' `Execution Status Change` event: its
 * `input` is the execution input as a JSON string, and AWS leaves it out when it is over 256 KB.
 */
export function executionRequest(input: string | null | undefined): ExecutionRequest {
  if (input === undefined || input === null) return { unreadable: "the event carries no execution input" };
  try {
    return { request: JSON.parse(input) as unknown };
  } catch (error) {
    return { unreadable: `the execution input is not JSON: ${(error as Error).message}` };
  }
}
