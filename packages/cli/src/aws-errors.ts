/** The error names AWS services answer when the caller's credentials lack a permission (JSON, query and EC2 APIs). */
const ACCESS_DENIED = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "UnauthorizedOperation",
  "AuthorizationError",
]);

/** AWS's message when a call was refused for want of a permission (it names the action), or undefined. */
export function accessDenied(error: unknown): string | undefined {
  for (let e = error as Error | undefined, depth = 0; e && depth < 5; depth++) {
    if (ACCESS_DENIED.has(e.name)) return `${e.name}: ${e.message}`;
    e = e.cause as Error | undefined;
  }
  return undefined;
}

/** The network error behind a failed AWS call (DNS, refused, reset, timed out), or undefined for anything else. */
export function networkFailure(error: unknown): string | undefined {
  for (let e = error as (Error & { code?: string }) | undefined, depth = 0; e && depth < 5; depth++) {
    if (
      e.code &&
      /^(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH)$/.test(e.code)
    )
      return `${e.code}${"hostname" in e ? ` ${String(e.hostname)}` : ""}`;
    if (e.name === "TimeoutError") return "request timed out";
    e = e.cause as (Error & { code?: string }) | undefined;
  }
  return undefined;
}
