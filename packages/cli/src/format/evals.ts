import type { EvalReport } from "@clawops/core/readiness";
import { type Colors, plainColors } from "../output.js";
import { renderTable } from "./table.js";

/** One row per skill: case counts by kind, passed/failed, and whether it has the three kinds the checklist asks. */
export function evalRows(report: EvalReport, color: Colors = plainColors): string[][] {
  return report.skills.map((s) => {
    const complete = s.cases.normal > 0 && s.cases["decline-escalate"] > 0 && s.cases.edge > 0;
    return [
      s.skill,
      String(s.cases.normal),
      String(s.cases["decline-escalate"]),
      String(s.cases.edge),
      String(s.cases.untagged),
      `${s.passed}/${s.passed + s.failed}`,
      s.failed === 0 && complete ? color.green("✓") : color.red("✗"),
    ];
  });
}

/** The ingested eval run as the terminal shows it: the per-skill table and the failing cases. */
export function renderEvals(report: EvalReport, color: Colors = plainColors): string[] {
  const lines = [
    `Eval run ${report.evalId ?? ""} at ${report.runAt}${report.scheduled ? " (scheduled)" : ""}, ingested ${report.ingestedAt}`.replace(
      "  ",
      " ",
    ),
    renderTable(
      ["skill", "normal", "decline/escalate", "edge", "untagged", "passed", "ok"],
      evalRows(report, color),
    ),
  ];
  for (const skill of report.skills) {
    for (const failure of skill.failures) lines.push(`${color.red("✗")} ${skill.skill}: ${failure}`);
    const missing = (["normal", "decline-escalate", "edge"] as const).filter((k) => skill.cases[k] === 0);
    if (missing.length > 0) lines.push(`${color.yellow("!")} ${skill.skill}: no ${missing.join(", ")} case`);
  }
  return lines;
}
