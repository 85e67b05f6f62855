import type { OutputStreams } from "../src/output.js";

/** Streams that record what a run writes (not TTYs: no colour, no spinner), for assertions. */
export function captureStreams(): OutputStreams & { stdoutText(): string; stderrText(): string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    stdout: { write: (text: string) => out.push(text), isTTY: false },
    stderr: { write: (text: string) => err.push(text), isTTY: false },
    noColor: true,
    stdoutText: () => out.join(""),
    stderrText: () => err.join(""),
  };
}

/** argv as `process.argv` has it. */
export const argv = (...args: string[]) => ["node", "clawops", ...args];
