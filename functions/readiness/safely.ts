import type { Gathered } from "@clawops/core/readiness";

/**
 * Runs one gathering step; a failure becomes `Unavailable` evidence (the checks reading it report `unknown`
 * with the reason) instead of failing the whole run. Throttling has already been retried by the SDK.
 */
export async function gathered<T>(what: string, step: () => Promise<T>): Promise<Gathered<T>> {
  try {
    return await step();
  } catch (error) {
    const name = error instanceof Error ? error.name : "Error";
    const message = error instanceof Error ? error.message : String(error);
    return { unavailable: `${what}: ${name}: ${message}` };
  }
}
