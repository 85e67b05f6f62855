/** The error names AWS services answer when the caller's credentials lack a permission (JSON, query and EC2 APIs). */
const ACCESS_DENIED = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "UnauthorizedOperation",
  "AuthorizationError",
]);

/**
 * The error names a service answers when KMS refused the key that encrypts the data (SQS: KmsAccessDenied, on
 * ReceiveMessage from the KMS-encrypted dead-letter queue; others: KMS.AccessDeniedException,
 * KMSAccessDeniedException). The message rarely names the permission, so the CLI does.
 */
const KMS_ACCESS_DENIED = new Set([
  "KmsAccessDenied",
  "KMS.AccessDeniedException",
  "KMSAccessDeniedException",
]);

/** What a KMS refusal lacks: the control plane's data (state table, dead-letter queue) is under one key per stage. */
const KMS_PERMISSION =
  'missing kms:Decrypt on the stage\'s clawops KMS key, the one whose description starts "clawops <stage>:"';

type CausedError = Error & { code?: string; hostname?: unknown };

/** What `describe` says of the first error in `error`'s cause chain (5 deep) it says anything of. */
function inCauses(error: unknown, describe: (e: CausedError) => string | undefined): string | undefined {
  for (let e = error as CausedError | undefined, depth = 0; e && depth < 5; depth++) {
    const found = describe(e);
    if (found) return found;
    e = e.cause as CausedError | undefined;
  }
  return undefined;
}

/** AWS's message when a call was refused for want of a permission (it names the action), or undefined. */
export function accessDenied(error: unknown): string | undefined {
  return inCauses(error, (e) => {
    if (ACCESS_DENIED.has(e.name)) return `${e.name}: ${e.message}`;
    if (KMS_ACCESS_DENIED.has(e.name)) return `${e.name}: ${e.message}; ${KMS_PERMISSION}`;
    return undefined;
  });
}

/** The network error behind a failed AWS call (DNS, refused, reset, timed out), or undefined for anything else. */
export function networkFailure(error: unknown): string | undefined {
  return inCauses(error, (e) => {
    if (
      e.code &&
      /^(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH)$/.test(e.code)
    )
      return `${e.code}${"hostname" in e ? ` ${String(e.hostname)}` : ""}`;
    return e.name === "TimeoutError" ? "request timed out" : undefined;
  });
}

/**
 * The error names of credentials that expired or must be renewed: STS and service answers to an expired session
 * token, the SDK's credential chain failing to refresh (an SSO session past its end), SSO's own answer.
 */
const EXPIRED_CREDENTIALS = new Set([
  "ExpiredTokenException",
  "ExpiredToken",
  "CredentialsProviderError",
  "TokenRefreshRequired",
]);

/** AWS's or the SDK's message when the credentials expired (or could not be refreshed), or undefined. */
function credentialsExpired(error: unknown): string | undefined {
  return inCauses(error, (e) => (EXPIRED_CREDENTIALS.has(e.name) ? `${e.name}: ${e.message}` : undefined));
}

/** An error AWS answered with (the SDK's service exceptions carry `$metadata`), as `name: message`, or undefined. */
function awsServiceError(error: unknown): string | undefined {
  return inCauses(error, (e) =>
    typeof e === "object" && ("$metadata" in e || "$fault" in e) ? `${e.name}: ${e.message}` : undefined,
  );
}

/** Why an AWS call failed, when AWS (or the way to it) is the reason and not clawops: `undefined` for a bug. */
export type AwsCallFailure =
  | { readonly kind: "denied"; readonly detail: string }
  | { readonly kind: "expired"; readonly detail: string }
  | { readonly kind: "unreachable"; readonly detail: string }
  | { readonly kind: "failed"; readonly detail: string };

/** Classifies an AWS call's error: a missing permission, expired credentials, no way to AWS, or AWS's own answer. */
export function awsCallFailure(error: unknown): AwsCallFailure | undefined {
  const denied = accessDenied(error);
  if (denied) return { kind: "denied", detail: denied };
  const expired = credentialsExpired(error);
  if (expired) return { kind: "expired", detail: expired };
  const unreachable = networkFailure(error);
  if (unreachable) return { kind: "unreachable", detail: unreachable };
  const answered = awsServiceError(error);
  return answered ? { kind: "failed", detail: answered } : undefined;
}
