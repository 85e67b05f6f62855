import { addDays, fail } from "./checks/result.js";
import type { ReadinessSettings } from "./settings.js";
import type { CheckResult } from "./types.js";

/** A human's statement that something no machine can verify was verified. */
export interface Attestation {
  readonly by: string;
  /** YYYY-MM-DD. */
  readonly at: string;
  /** YYYY-MM-DD: the last day it counts. */
  readonly expires: string;
  readonly note?: string;
}

/**
 * Judges an attestation: `attested` (never `pass`) while valid; `fail` when missing, expired or dated in the
 * future (a typo there must not extend it silently).
 */
export function judgeAttestation(attestation: Attestation | undefined, what: string, now: Date): CheckResult {
  if (!attestation) {
    return fail(`No attestation recorded that ${what}.`);
  }
  const today = now.toISOString().slice(0, 10);
  const who = `${attestation.by} on ${attestation.at}`;
  if (attestation.at > today) return fail(`The attestation by ${who} is dated in the future.`);
  if (attestation.expires < today) {
    return fail(`The attestation by ${who} that ${what} expired on ${attestation.expires}.`);
  }
  return {
    status: "attested",
    explanation: `Attested by ${who} (valid until ${attestation.expires}) that ${what}.`,
    ...(attestation.note ? { details: [attestation.note] } : {}),
  };
}

/** The newest attestation recorded in `readiness.attestations` for a check id. */
export function attestationFor(settings: ReadinessSettings, id: string): Attestation | undefined {
  return settings.readiness.attestations
    .filter((a) => a.id === id)
    .sort((a, b) => b.at.localeCompare(a.at))[0];
}

/** An attestation built from a dated review (`reviewedAt` + max age), as the recovery procedure records it. */
export function reviewAttestation(
  review: { readonly at?: string; readonly by?: string },
  maxAgeDays: number,
): Attestation | undefined {
  if (!review.at || !review.by) return undefined;
  return { by: review.by, at: review.at, expires: addDays(review.at, maxAgeDays) };
}
