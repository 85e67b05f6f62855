import type { InstanceHealthHistory } from "@clawops/core/lifecycle";
import { type Colors, plainColors } from "../output.js";
import { renderTable } from "./table.js";

/** One instance of the fleet as `clawops status` shows it. */
export interface InstanceStatus {
  readonly instanceId: string;
  readonly lifecycleState: string;
  readonly healthStatus: string;
  /**
   * From the health monitor's history: `healthy`, `failing` (consecutive failures), `no answer` (runs in a row
   * whose probe SSM could not get an answer for), or `not probed yet`.
   */
  readonly gateway: string;
  readonly consecutiveFailures: number | null;
  /** Monitor runs in a row without a probe answer while SSM answered the fleet (0 once it answers). */
  readonly silentRuns: number | null;
}

/** How `clawops status` reads an instance's health history (undefined: the monitor has not seen it InService). */
export function gatewayView(
  history: InstanceHealthHistory | undefined,
): Pick<InstanceStatus, "gateway" | "consecutiveFailures" | "silentRuns"> {
  if (!history) return { gateway: "not probed yet", consecutiveFailures: null, silentRuns: null };
  const silentRuns = history.silentRuns ?? 0;
  const gateway = history.failures > 0 ? "failing" : silentRuns > 0 ? "no answer" : "healthy";
  return { gateway, consecutiveFailures: history.failures, silentRuns };
}

/** What `clawops status` gathers (also its `--json` shape). */
export interface StatusReport {
  readonly stage: string;
  readonly fleet: string;
  readonly autoScalingGroupName: string;
  readonly capacity: { readonly desired: number; readonly min: number; readonly max: number } | null;
  readonly instances: readonly InstanceStatus[];
  readonly controlPlane: {
    readonly healthMonitor: { readonly lastRunAt: string | null };
    readonly readiness: {
      readonly lastRunAt: string;
      readonly passed: boolean;
      readonly runId: string;
    } | null;
    readonly drill: { readonly startedAt: string; readonly passed: boolean; readonly drillId: string } | null;
    readonly deadLetterQueue: { readonly depth: number | null; readonly note?: string };
  };
}

/** `3m ago`, `2h ago`, `4d ago` (from ISO time to now). */
export function ago(iso: string, now: number): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 90) return `${seconds}s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)}m ago`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)}h ago`;
  return `${Math.round(seconds / 86_400)}d ago`;
}

/** The status screen: the fleet's instances, then the control plane's last runs and the dead-letter queue. */
export function renderStatus(report: StatusReport, now: number, color: Colors = plainColors): string[] {
  const cap = report.capacity;
  const gatewayCell = (g: InstanceStatus) =>
    g.gateway === "healthy"
      ? color.green(g.gateway)
      : g.gateway === "failing"
        ? color.red(`failing (${g.consecutiveFailures})`)
        : g.gateway === "no answer"
          ? color.yellow(`no answer (${g.silentRuns} runs)`)
          : color.dim(g.gateway);
  const instances = renderTable(
    ["instance", "lifecycle", "ASG health", "gateway"],
    report.instances.map((i) => [
      i.instanceId,
      i.lifecycleState,
      i.healthStatus === "Healthy" ? i.healthStatus : color.red(i.healthStatus),
      gatewayCell(i),
    ]),
  );
  const { healthMonitor, readiness, drill, deadLetterQueue } = report.controlPlane;
  const when = (iso: string | null | undefined) =>
    iso ? `${ago(iso, now)} (${iso})` : color.yellow("never");
  const verdict = (passed: boolean) => (passed ? color.green("passed") : color.red("FAILED"));
  const depth =
    deadLetterQueue.depth === null
      ? color.yellow(`unknown${deadLetterQueue.note ? ` (${deadLetterQueue.note})` : ""}`)
      : deadLetterQueue.depth === 0
        ? color.green("0 messages")
        : color.red(`${deadLetterQueue.depth} message(s): run clawops alerts replay`);
  const control = renderTable(
    ["control plane", "last"],
    [
      ["health monitor run", when(healthMonitor.lastRunAt)],
      [
        "readiness run",
        readiness ? `${when(readiness.lastRunAt)}, ${verdict(readiness.passed)}` : when(null),
      ],
      [
        "restore drill",
        drill ? `${when(drill.startedAt)}, ${verdict(drill.passed)} (${drill.drillId})` : when(null),
      ],
      ["dead-letter queue", depth],
    ],
  );
  return [
    `${color.bold(report.fleet)} (stage ${report.stage}): ${report.autoScalingGroupName}` +
      (cap
        ? `, ${report.instances.length} instance(s), desired ${cap.desired} (min ${cap.min}, max ${cap.max})`
        : ""),
    instances,
    control,
  ];
}
