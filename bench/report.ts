/** Renders one `npm run bench` as docs/benchmarks.md. */
import {
  BACKUP_EFS_RESTORE_GB_USD,
  costMargin,
  DRILL_VERIFY_MB,
  KMS_ROTATION_MONTH_USD,
  openFixes,
  TARGET_INSTANCES,
  TARGET_USD,
} from "./cost.js";
import type { FirstRequestBench } from "./first-request.js";
import type { BenchRun, FlowOutcome } from "./run.js";

const TARGET_KB = 400;
const TARGET_RATIO = 2.5;

function status(o: FlowOutcome<unknown>): string {
  return o.status === "ok"
    ? `ran in ${o.seconds} s`
    : `**${o.status.toUpperCase()}**: ${o.error.split("\n")[0]}`;
}

/**
 * How many functions meet the import target, and of those that miss it how many have it inside the middle
 * half of their rounds (there, the machine's noise decides which side a run lands on).
 */
export function ratioSummary(
  bundles: ReadonlyArray<{ importRatio: number; importRatioQuartiles?: readonly [number, number] }>,
): string {
  const met = bundles.filter((b) => b.importRatio <= TARGET_RATIO).length;
  const missed = bundles.filter((b) => b.importRatio > TARGET_RATIO);
  const close = missed.filter(
    (b) => (b.importRatioQuartiles?.[0] ?? Number.POSITIVE_INFINITY) <= TARGET_RATIO,
  );
  const clear = missed.length - close.length;
  return (
    `Import ≤ ${TARGET_RATIO}x: ${met} of ${bundles.length} functions by the median. ` +
    `Of the ${missed.length} over it, ${close.length} ${close.length === 1 ? "has" : "have"} ${TARGET_RATIO}x ` +
    "inside the middle half of their rounds (a run can land either side), and " +
    `${clear} ${clear === 1 ? "misses" : "miss"} it in more than three rounds of four.`
  );
}

/** The paragraph above the floors' table, naming the functions whose whole sets it holds. */
export function floorsIntro(floors: ReadonlyArray<{ of?: string }>): string {
  const sets = [...new Set(floors.flatMap((f) => (f.of ? [f.of] : [])))];
  return (
    "The floors under these figures: library code alone, no clawops code, bundled and imported the same way in " +
    "the same rounds. Rows without a function's name are parts: an SDK client, the handler chain. Parts do not " +
    "add up (they share Node's modules and the SDK core)" +
    (sets.length
      ? `, so the rows named after ${sets.join(" and ")} measure each one's whole set of libraries as it loads ` +
        "them at a cold start (zod apart: its schemas count with the function's own code). A function loads every " +
        "module of its set, so its import costs at least the set's, up to a run's noise. A row \"without\" a " +
        "package leaves out one the function could do without at a cold start: what it cannot shed.\n"
      : ".\n")
  );
}

/**
 * What each whole set of libraries (a floor with `of`) leaves of the ratio target for its function's own code
 * (with its zod schemas): a line per set, with the set's ratio and the function's from the same run. Ratios do
 * not add up, so the function's excess over its set is reported as measured, not as a share of anything.
 */
export function floorSummary(
  floors: ReadonlyArray<{
    name: string;
    importRatio: number;
    of?: string;
    leavesOut?: Readonly<Record<string, string>>;
  }>,
  bundles: ReadonlyArray<{ function: string; importRatio: number }>,
): string {
  const x = (ratio: number) => `${(Math.round(ratio * 100) / 100).toFixed(2)}x`;
  return floors
    .flatMap((floor) => {
      const fn = floor.of && bundles.find((b) => b.function === floor.of);
      if (!fn) return [];
      const without = Object.entries(floor.leavesOut ?? {});
      if (without.length) {
        const left = without.map(([pkg, why]) => `${pkg} (${why})`).join(", ");
        const head = `- ${floor.of} without ${left}: its libraries ${x(floor.importRatio)}.`;
        return [
          floor.importRatio > TARGET_RATIO
            ? `${head} Even without ${without.length === 1 ? "it" : "them"}, they are over ${TARGET_RATIO}x.`
            : `${head} That would leave room for ${x(TARGET_RATIO - floor.importRatio)} above them.`,
        ];
      }
      const head = `- ${floor.of}: its libraries alone ${x(floor.importRatio)}, the function ${x(fn.importRatio)}.`;
      const above = fn.importRatio - floor.importRatio;
      const excess =
        above > 0
          ? `The function measures ${x(above)} above its libraries (its own code and zod schemas).`
          : "The function measures no more than its libraries: within this run's noise.";
      return [
        floor.importRatio > TARGET_RATIO
          ? `${head} The libraries alone are over ${TARGET_RATIO}x: while the function loads them all at a cold ` +
            "start, no change to its own code can bring it within the target."
          : `${head} ${excess} The target leaves room for ${x(TARGET_RATIO - floor.importRatio)} above them.`,
      ];
    })
    .join("\n");
}

function table(head: string[], rows: Array<Array<string | number>>): string {
  return [
    `| ${head.join(" | ")} |`,
    `|${head.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}

/**
 * The reference, the floors and four functions with their first request: why the import-only ratio
 * overstates what an SDK client's cold start costs next to the reference's.
 */
export function firstRequestSection(outcome: FlowOutcome<FirstRequestBench> & { status: "ok" }): string {
  const f = outcome.result;
  return [
    "### Cold import plus the first request\n",
    `${status(outcome)}. What the import leaves out: the reference sends with Node's global \`fetch\`, and Node ` +
      "loads `fetch`'s HTTP stack (undici) at the first request; an SDK client loads its own (`node:https`, " +
      "`node:crypto`) at import. So the import ratio counts an SDK client's HTTP stack and not the reference's. " +
      "Below, the reference, the SDK floors, the handler chain and four whole functions, each in a fresh Node " +
      "process, imported and then making its first request to a local endpoint: Slack `auth.test`; a " +
      "SigV4-signed AWS call, credentials from the environment as on Lambda; for the handler chain (with its " +
      "middlewares, so more than the floor above), one invocation that logs a line and flushes a metric, no " +
      "request; each function invoked once with an event it gets in production (the router: a " +
      "`LifecycleAbandoned` it posts, after reading its secret and claiming the event in DynamoDB), its SDK " +
      "clients sent to the endpoint by `AWS_ENDPOINT_URL`. Plain HTTP: no TLS handshake is counted (in " +
      "production, one per service a first invocation calls). " +
      `${f.runs} rounds, each part right after the reference; ratios are medians of those pairs' ratios of CPU ` +
      "time (bench/first-request.ts).\n",
    table(
      ["bundle", "import CPU ms", "ratio", "import + first request CPU ms", "ratio"],
      [
        [
          "`@slack/web-api` (the reference)",
          f.reference.importCpuMs,
          "1x",
          f.reference.firstRequestCpuMs,
          "1x",
        ],
        ...f.parts.map((p) => [
          p.name,
          p.importCpuMs,
          `${p.importRatio}x`,
          p.firstRequestCpuMs,
          `${p.firstRequestRatio}x`,
        ]),
      ],
    ),
    "",
  ].join("\n");
}

function flowSection(title: string, o: FlowOutcome<Record<string, unknown>>, note: string): string {
  const body =
    o.status === "ok"
      ? table(
          ["figure", "value"],
          Object.entries(o.result).map(([k, v]) => [
            k,
            typeof v === "object" ? `\`${JSON.stringify(v)}\`` : String(v),
          ]),
        )
      : "No figures: the benchmark did not produce any (see the status).";
  return `## ${title}\n\n${status(o)}. ${note}\n\n${body}\n`;
}

/** The cost section: the totals by year with the target's verdict for each, then the steady state's lines. */
export function costSection(cost: BenchRun["cost"]): string[] {
  const out: string[] = [];
  out.push("## Cost of the control plane (USD a month, us-east-1)\n");
  if (cost.status === "ok") {
    const { estimates, inputs } = cost.result;
    const { inventory, ...calls } = inputs;
    const fixes = openFixes(inventory);
    const functions = Object.entries(inventory.functions)
      .filter(([, f]) => f.scheduledPerMonth > 0 || !f.tracing)
      .map(
        ([name, f]) =>
          `${name} ${f.memoryMb} MB${f.tracing ? "" : " untraced"}${f.scheduledPerMonth > 0 ? `, ${Math.round(f.scheduledPerMonth)} runs` : ""}`,
      );
    const verdict = (usd: number) =>
      usd < TARGET_USD ? `met (< $${TARGET_USD})` : `**missed** (≥ $${TARGET_USD})`;
    const usd = (amount: number) => `$${amount.toFixed(2)}`;
    const room = (headroom: number) =>
      headroom >= 0 ? `${usd(headroom)} under the target` : `${usd(-headroom)} over it`;
    const margin = costMargin(inputs);
    out.push(
      "From the call counts above, what the synthesized stacks deploy (bench/cost-inventory.ts: keys and their " +
        "rotation, alarms, secrets, each function's memory, X-Ray mode and schedule, restore testing jobs), the " +
        "metrics the functions publish and how often (bench/cost.ts pins them to the code), the workflows' paths on " +
        "their ASL (bench/cost-workflows.ts), the monitor's state item as its code writes it " +
        "(bench/cost-monitor-state.ts), readiness's records as its run writes them (bench/cost-readiness-records.ts: " +
        "each PutItem billed by its size, the run records kept in the table with its point-in-time recovery) " +
        "and the public prices and assumptions in bench/cost.ts (each price names " +
        "its page). No free tier subtracted. The fleet's own EC2, EFS, NAT, backups, key and secret are not the " +
        `control plane and are not included; the drills' own restores are (AWS Backup, $${BACKUP_EFS_RESTORE_GB_USD} ` +
        `a GB restored: ${DRILL_VERIFY_MB / 1024} GB a drill, the model's assumption for the fleet's two file ` +
        "systems, and EFS while the drill runs). A failure drill is priced when `failureDrill.schedule` runs it " +
        "(its workflow, tasks and metrics, and the replacement and alerts it causes); on demand only, it is not.\n",
      "The KMS key rotates yearly: each of its first two rotations adds " +
        `$${KMS_ROTATION_MONTH_USD} a month, so the bill grows in year 2 and is steady from year 3; the line items ` +
        "below are the steady state.\n",
      `Calls: \`${JSON.stringify(calls)}\`. Deployed: ${inventory.kmsKeys} KMS keys ` +
        `(\`${JSON.stringify(inventory.kmsKeysByStack)}\`, ${inventory.rotatedKmsKeys ?? inventory.kmsKeys} rotated), ` +
        `${inventory.alarms} alarms (${inventory.clawopsAlarms ?? "?"} in clawops' namespace), ` +
        `${inventory.secrets} secret(s), scheduled state machines ` +
        `\`${JSON.stringify(inventory.scheduledStateMachines)}\`, ` +
        `${inventory.drillFileSystems ?? 2} file systems a drill, ` +
        `${Math.round((inventory.restoreTestJobsPerMonth ?? 0) * 100) / 100} restore testing jobs a month; ` +
        `scheduled or untraced functions a month: ${functions.join("; ")}.\n`,
      table(
        [
          "fleet",
          "year 1",
          "year 2",
          "year 3 on",
          fixes.length > 0 ? "year 3 on, with the open fixes" : "",
          `target (${TARGET_INSTANCES} instances), year 1`,
          `target (${TARGET_INSTANCES} instances), year 3 on`,
        ],
        (["3", "10", "100"] as const).map((n) => [
          `${n} instances`,
          `$${estimates[n].firstYearUsd.toFixed(2)}`,
          `$${estimates[n].secondYearUsd.toFixed(2)}`,
          `$${estimates[n].totalUsd.toFixed(2)}`,
          fixes.length > 0 ? `$${estimates[n].withFixesUsd.toFixed(2)}` : "",
          Number(n) === TARGET_INSTANCES ? verdict(estimates[n].firstYearUsd) : "",
          Number(n) === TARGET_INSTANCES ? verdict(estimates[n].totalUsd) : "",
        ]),
      ),
      `\n**Margin at ${margin.instances} instances:** year 1 is ${usd(margin.firstYearUsd)}, ` +
        `${room(margin.firstYearHeadroomUsd)} of $${TARGET_USD} a month; from year 3 ${usd(margin.totalUsd)}, ` +
        `${room(margin.steadyHeadroomUsd)}. The monitor's item is ${margin.monitorItemBytes} B, ` +
        `${margin.monitorBytesLeft} B under ${margin.monitorNextKb} KB: at ${margin.monitorCrossesAtInstances} ` +
        `instances (or with a group name ${margin.monitorBytesLeft + 1} characters longer) it crosses it and each ` +
        `run writes one more unit (${usd(margin.crossingWritesUsd)} a month); year 1 at ` +
        `${margin.monitorCrossesAtInstances} instances: ${usd(margin.crossingFirstYearUsd)}, ` +
        `${verdict(margin.crossingFirstYearUsd)}.\n`,
      fixes.length > 0 ? `\nOpen fixes: ${fixes.join("; ")}.\n` : "",
    );
    for (const n of ["3", "10", "100"] as const) {
      out.push(
        `### ${n} instances: $${estimates[n].totalUsd.toFixed(2)} from year 3 ($${estimates[n].firstYearUsd.toFixed(2)} in year 1)\n`,
        table(
          ["service", "item", "quantity", "unit", "USD"],
          estimates[n].lines.map((l) => [l.service, l.item, l.quantity, l.unit, l.usd.toFixed(4)]),
        ),
        "",
      );
    }
  } else out.push(`${status(cost)}\n`);
  return out;
}

/** The whole report. */
export function renderMarkdown(run: BenchRun): string {
  const m = run.machine;
  const out: string[] = [];
  out.push(
    "# clawops benchmarks\n",
    `Generated by \`${run.command}\` on ${run.date} in ${run.seconds} s.\n`,
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}. ` +
      "Timings that depend on the machine are given as ratios to a reference measured in the same run.\n",
    `Sizes used to fit 10 minutes on 2 cores: \`${JSON.stringify(run.sizes)}\` (drills: a ${Math.round(
      run.sizes.drills.totalBytes / 1024 ** 2,
    )} MiB tree of ${run.sizes.drills.files} files instead of the module's default 1 GiB / 10,000 files).\n`,
  );

  out.push("## Bundles and cold import\n");
  if (run.bundles.status === "ok") {
    const b = run.bundles.result;
    out.push(
      `${status(run.bundles)}. Each function built as deployed (stacks/bundling.ts: ESM, code splitting, minified, ` +
        `SDK included; SST's own esbuild and options, with the plugins stacks/sdk-schemas.ts, stacks/cold-start-trims.ts and stacks/lazy-bundles.ts). ` +
        "**KB at cold start** = the " +
        "entry plus the chunks it imports statically; **KB shipped** = all its code (source maps not counted), " +
        "with what a rare path loads: the bundles of lazily imported packages (dead-letter SQS client, the SDK's " +
        "credential providers and their STS/SSO clients, Backup in drills/cleanup, EventBridge on drift, the X-Ray " +
        "tracer: only where a stage sets `handlerTracing`), each with its own copy of the SDK core, and, for " +
        "readiness/run, the per-area gatherers every run loads after the import (its first run loads more than " +
        "its KB at cold start). " +
        `Import = \`await import()\` in a fresh Node process, ${b.runs} rounds, each import right after one of ` +
        "the reference; the ratio is the median of those pairs' ratios of CPU time (wall time on a shared machine " +
        "also counts waiting for a core) to the reference's " +
        `(\`@slack/web-api\` alone: ${b.referenceKb} KB, median ${b.referenceImportCpuMs} ms CPU, ${b.referenceImportMs} ms here). ` +
        `Targets: ≤ ${TARGET_KB} KB, ≤ ${TARGET_RATIO}x.\n`,
      table(
        [
          "function",
          "KB at cold start",
          "KB shipped",
          "largest file KB",
          "import ms",
          "import CPU ms",
          "ratio",
          "middle half of rounds",
          `≤ ${TARGET_KB} KB at cold start`,
          `≤ ${TARGET_RATIO}x`,
        ],
        b.bundles.map((f) => [
          f.function,
          f.kb,
          f.totalKb,
          f.largestKb,
          f.importMs,
          f.importCpuMs,
          `${f.importRatio}x`,
          `${f.importRatioQuartiles.join("-")}x`,
          f.kb <= TARGET_KB ? "met" : "**missed**",
          f.importRatio <= TARGET_RATIO ? "met" : "**missed**",
        ]),
      ),
      "",
      ratioSummary(b.bundles),
      "",
      floorsIntro(b.floors ?? []),
      table(
        ["library code alone", "KB", "import CPU ms", "ratio"],
        (b.floors ?? []).map((f) => [f.name, f.kb, f.importCpuMs, `${f.importRatio}x`]),
      ),
      "",
      floorSummary(b.floors ?? [], b.bundles),
      "",
    );
  } else out.push(`${status(run.bundles)}\n`);
  out.push(
    run.firstRequest.status === "ok"
      ? firstRequestSection(run.firstRequest)
      : `Cold import plus the first request: ${status(run.firstRequest)}\n`,
  );

  out.push(
    flowSection(
      "Alerts",
      run.flows.alerts,
      "Per-event router work; a 1,000-alarm storm through the real router and a local Slack server.",
    ),
    flowSection(
      "Lifecycle",
      run.flows.lifecycle,
      "Launch gate latency on the logical clock; monitor AWS calls by fleet size.",
    ),
    flowSection(
      "Readiness",
      run.flows.readiness,
      "AWS calls of one run by fleet size; wall time at 1,000 instances, 100 ms a call.",
    ),
    flowSection(
      "Drills",
      run.flows.drills,
      "Verifier throughput against sha256sum; control-plane overhead of a drill.",
    ),
  );

  out.push(...costSection(run.cost));
  return `${out.join("\n")}\n`;
}
