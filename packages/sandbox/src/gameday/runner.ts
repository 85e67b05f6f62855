import { createSandbox, type Sandbox, type SandboxOptions } from "../sandbox.js";
import type { Scene, SceneResult, Timeline } from "./scene.js";

export interface GameDayOptions {
  readonly scenes: readonly Scene[];
  /** Where the timeline and the table go. @default console.log */
  readonly print?: (line: string) => void;
  readonly sandbox?: SandboxOptions;
  /**
   * Keeps the sandbox (and its Slack view) up after the last scene until the promise resolves (`clawops
   * sandbox --keep-open` resolves it on Ctrl-C).
   */
  readonly keepOpen?: () => Promise<void>;
}

const INTRO = (sandbox: Sandbox) => [
  "clawops sandbox: the game day",
  "",
  "This runs clawops' production code against a local stand-in for AWS, on this machine, with no AWS",
  "account and no Docker. The AWS APIs (Auto Scaling, EC2, SSM, CloudWatch, EventBridge, Step Functions, ...)",
  "are simulated in memory; the parts where real processes matter are real: each simulated instance runs",
  "its own gateway process on a loopback port, DynamoDB is a local server, and Slack is a local",
  "Slack-compatible server. Time runs on a sandbox clock, so a ten-minute timeout takes moments.",
  "",
  `Fleet: ${sandbox.description.autoScalingGroupName} (${sandbox.fleet.instances().length} instances), gateway health ${sandbox.description.gateway.path}`,
  sandbox.slack.url
    ? `Slack view (what the alert channels would show): ${sandbox.slack.url}`
    : "Slack view: not started",
  "Ctrl-C stops everything; no process is left behind.",
  "",
];

function table(rows: { scene: string; result: SceneResult }[]): string[] {
  const lines = rows.map(({ scene, result }) => [
    scene,
    result.passed ? "PASS" : "FAIL",
    Object.entries(result.figures)
      .map(([k, v]) => `${k}: ${v}`)
      .join(", "),
  ]);
  const header = ["scene", "result", "figures"];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? "").length)));
  const row = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [row(header), widths.map((w) => "-".repeat(w)).join("  "), ...lines.map(row)];
}

const passed = (results: { result: SceneResult }[], scenes: number) =>
  results.length === scenes && results.every((r) => r.result.passed);

const verdict = (results: { result: SceneResult }[], scenes: number) =>
  passed(results, scenes)
    ? "\nEvery scene behaved as production should."
    : "\nSome scenes failed: exit code 1.";

/**
 * Runs the scenes one after the other in one sandbox, prints a timeline stamped with sandbox time and a final
 * table, and resolves to the exit code: 0 only when every scene passed. The sandbox is closed on every path.
 */
export async function runGameDay(options: GameDayOptions): Promise<number> {
  const print = options.print ?? ((line: string) => console.log(line));
  const sandbox = await createSandbox({ fleetSize: 3, ...options.sandbox });
  const results: { scene: string; result: SceneResult }[] = [];
  try {
    const start = sandbox.clock.now();
    for (const line of INTRO(sandbox)) print(line);
    for (const scene of options.scenes) {
      const stamp = () => {
        const s = Math.floor((sandbox.clock.now() - start) / 1000);
        return `+${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
      };
      const timeline: Timeline = { log: (message) => print(`  ${stamp()}  ${message}`) };
      print(`== ${scene.name}`);
      let result: SceneResult;
      try {
        result = await scene.run(sandbox, timeline);
      } catch (error) {
        result = {
          passed: false,
          figures: {},
          reason: `the scene crashed: ${(error as Error).stack ?? String(error)}`,
        };
      }
      print(`   ${result.passed ? "passed" : `FAILED: ${result.reason ?? "see the timeline"}`}`);
      results.push({ scene: scene.name, result });
    }
    print("");
    for (const line of table(results)) print(line);
    for (const problem of sandbox.aws.models.world.problems) print(`problem: ${problem}`);
    if (options.keepOpen) {
      print(verdict(results, options.scenes.length));
      print(`The Slack view stays open at ${sandbox.slack.url || "(no Slack server)"}: Ctrl-C to stop.`);
      await options.keepOpen();
    }
  } finally {
    await sandbox.close();
  }
  if (!options.keepOpen) print(verdict(results, options.scenes.length));
  return passed(results, options.scenes.length) ? 0 : 1;
}
