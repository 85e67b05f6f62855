import type { CheckOutcome, ReadinessReport } from "@clawops/core/readiness";
import { areaTitle, failingChecks, STATUS_MARK } from "./readiness.js";

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const STYLE = `body{font:15px/1.5 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1f2328;max-width:980px;margin:2rem auto;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2rem;font-size:1.2rem}.meta{color:#59636e}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #d1d9e0;padding:.35rem .6rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}.pass{color:#1a7f37;font-weight:600}.fail{color:#cf222e;font-weight:600}.unknown,.attested{color:#9a6700;font-weight:600}
.verdict{padding:.6rem 1rem;border-radius:6px;margin:1rem 0;font-weight:600}.verdict.ok{background:#dafbe1}.verdict.bad{background:#ffebe9}
code{font-size:.9em;background:#f6f8fa;padding:0 .2rem}ul{margin:.2rem 0}`;

const mark = (status: CheckOutcome["status"]) =>
  `<span class="${status}">${escapeHtml(STATUS_MARK[status])}</span>`;

function checkRow(check: CheckOutcome): string {
  const details = (check.details ?? []).length
    ? `<ul>${(check.details ?? []).map((d) => `<li>${escapeHtml(d)}</li>`).join("")}</ul>`
    : "";
  const fix = check.status === "fail" ? `<br><strong>Fix:</strong> ${escapeHtml(check.remediation)}` : "";
  return `<tr><td>${mark(check.status)}</td><td><code>${escapeHtml(check.id)}</code><br>${escapeHtml(check.title)}</td><td>${escapeHtml(check.severity)}</td><td>${escapeHtml(check.explanation)}${details}${fix}</td></tr>`;
}

/**
 * The readiness report as one self-contained HTML page (inline CSS, no scripts, no external resources) that
 * an operator can send to a client: verdict, the eight areas, what fails and how to fix it, every check.
 */
export function renderReadinessHtml(report: ReadinessReport): string {
  const failing = failingChecks(report);
  const areas = report.areas
    .map(
      (a) =>
        `<tr><td>${escapeHtml(areaTitle(a.area))}</td><td>${mark(a.status)}</td><td>${a.pass}</td><td>${a.fail}</td><td>${a.unknown}</td><td>${a.attested}</td></tr>`,
    )
    .join("\n");
  const byArea = report.areas
    .map((a) => {
      const rows = report.checks
        .filter((c) => c.area === a.area)
        .map(checkRow)
        .join("\n");
      return `<h3>${escapeHtml(areaTitle(a.area))}</h3>\n<table><tr><th></th><th>check</th><th>severity</th><th>finding</th></tr>\n${rows}\n</table>`;
    })
    .join("\n");
  const verdict = report.passed
    ? `<div class="verdict ok">No check fails.</div>`
    : `<div class="verdict bad">${failing.length} check(s) fail: the deployment is not production-ready.</div>`;
  const failingList = failing.length
    ? `<h2>What fails and how to fix it</h2>\n<table><tr><th></th><th>check</th><th>severity</th><th>finding</th></tr>\n${failing.map(checkRow).join("\n")}\n</table>`
    : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Production readiness: ${escapeHtml(report.fleet)} (${escapeHtml(report.stage)})</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Production readiness: ${escapeHtml(report.fleet)}</h1>
<p class="meta">Stage ${escapeHtml(report.stage)} · run <code>${escapeHtml(report.runId)}</code> · ${escapeHtml(report.at)} · checked by clawops</p>
${verdict}
<h2>The eight areas</h2>
<table><tr><th>area</th><th>status</th><th>pass</th><th>fail</th><th>unknown</th><th>attested</th></tr>
${areas}
</table>
<p class="meta">✓ verified by a check · ✗ fails · ? could not be verified · attested: rests on a person's signed statement, not on a machine check.</p>
${failingList}
<h2>Every check</h2>
${byArea}
</body>
</html>
`;
}
