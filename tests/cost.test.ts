import { describe, expect, it } from "vitest";
import { type CostInputs, costMargin, costModel, openFixes } from "../bench/cost.js";
import { type CfnTemplate, type Inventory, inventoryOf, runsPerMonth } from "../bench/cost-inventory.js";

const fn = (handler: string, memory = 256, tracing = true) => ({
  Type: "AWS::Lambda::Function",
  Properties: {
    Handler: handler,
    MemorySize: memory,
    ...(tracing ? { TracingConfig: { Mode: "Active" } } : {}),
  },
});
const schedule = (expression: string, target: string, state = "ENABLED") => ({
  Type: "AWS::Events::Rule",
  Properties: {
    ScheduleExpression: expression,
    State: state,
    Targets: [{ Arn: { "Fn::GetAtt": [target, "Arn"] } }],
  },
});

/** A control plane shaped like the real one, small enough to read. */
const templates: Record<string, CfnTemplate> = {
  "bench-clawops-Core": {
    Resources: {
      Key: { Type: "AWS::KMS::Key" },
      DeadLetters: {
        Type: "AWS::CloudWatch::Alarm",
        Properties: { Namespace: "AWS/SQS", MetricName: "ApproximateNumberOfMessagesVisible" },
      },
      State: {
        Type: "AWS::DynamoDB::GlobalTable",
        Properties: {
          Replicas: [{ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }],
        },
      },
    },
  },
  "bench-clawops-Fleet": {
    Resources: { Key: { Type: "AWS::KMS::Key" }, Secret: { Type: "AWS::SecretsManager::Secret" } },
  },
  "bench-clawops-Alerts": {
    Resources: {
      Secret: { Type: "AWS::SecretsManager::Secret" },
      Router: fn("functions/alerts/router.handler"),
    },
  },
  "bench-clawops-Lifecycle": {
    Resources: {
      Monitor: fn("functions/lifecycle/monitor.handler", 256, false),
      MonitorSchedule: schedule("rate(1 minute)", "Monitor"),
      Reconcile: fn("functions/lifecycle/reconcile.handler"),
      ReconcileSchedule: schedule("rate(5 minutes)", "Reconcile"),
      Probe: fn("functions/lifecycle/probe.handler"),
      Unhealthy: {
        Type: "AWS::CloudWatch::Alarm",
        Properties: { Namespace: "Clawops", MetricName: "UnhealthyGateways" },
      },
      SstHandler: fn("index.handler", 1024, false),
    },
  },
  "bench-clawops-Drills": {
    Resources: {
      LogsKey: { Type: "AWS::KMS::Key" },
      RestoreDrill: { Type: "AWS::StepFunctions::StateMachine" },
      DrillSchedule: schedule("cron(0 3 ? * SUN *)", "RestoreDrill"),
      Paused: schedule("rate(1 minute)", "RestoreDrill", "DISABLED"),
      Plan: fn("functions/drills/plan.handler"),
      Verify: fn("functions/drills/verify.handler", 1024),
      Sweeper: fn("functions/drills/sweeper.handler"),
      SweeperSchedule: schedule("rate(1 hour)", "Sweeper"),
    },
  },
  "bench-clawops-Readiness": {
    Resources: {
      Run: fn("functions/readiness/run.handler", 512),
      Schedule: schedule("rate(1 hour)", "Run"),
    },
  },
};

const inputs = (inventory: Inventory): CostInputs => ({
  monitorCalls: { "10": 5, "100": 7, "1000": 43 },
  readinessCalls: { "10": 41, "100": 43, "1000": 83 },
  ssmCallsPerGate: 10,
  verifierMBps: 60,
  inventory,
});

describe("Function: runsPerMonth", () => {
  it.each([
    ["rate(1 minute)", 43_800],
    ["rate(5 minutes)", 8_760],
    ["rate(1 hour)", 730],
    ["rate(2 days)", 15.21],
    ["cron(0 3 ? * SUN *)", 4.35],
    ["cron(0 3 ? * MON-FRI *)", 21.73],
    ["cron(*/15 * * * ? *)", 2_920],
    ["cron(30 2 1 * ? *)", 1],
  ])("prices %s at %d runs a month", (expression, runs) => {
    expect(runsPerMonth(expression)).toBeCloseTo(runs, 1);
  });

  it("refuses an expression it cannot price", () => {
    expect(() => runsPerMonth("at(2026-12-01T00:00:00)")).toThrow(/cannot price/);
  });
});

describe("Function: inventoryOf", () => {
  const inventory = inventoryOf(templates);

  it("counts the control plane's keys, alarms and secrets, not the fleet's", () => {
    expect(inventory).toMatchObject({ kmsKeys: 2, alarms: 2, secrets: 1 });
    expect(inventory.kmsKeysByStack).toEqual({ Core: 1, Drills: 1 });
  });

  it("reads each clawops function's memory, tracing and enabled schedules, skipping SST's own", () => {
    expect(inventory.functions["lifecycle/monitor"]).toEqual({
      memoryMb: 256,
      tracing: false,
      scheduledPerMonth: 43_800,
    });
    expect(inventory.functions["readiness/run"]).toEqual({
      memoryMb: 512,
      tracing: true,
      scheduledPerMonth: 730,
    });
    expect(inventory.functions["lifecycle/probe"]?.scheduledPerMonth).toBe(0);
    expect(Object.keys(inventory.functions)).not.toContain("index");
    expect(inventory.scheduledStateMachines).toEqual({ RestoreDrill: expect.closeTo(4.35, 2) });
  });

  it("counts the alarms in clawops' namespace (readiness requests their metrics) and the table's PITR", () => {
    expect(inventory).toMatchObject({ alarms: 2, clawopsAlarms: 1, pointInTimeRecovery: true });
    const { "bench-clawops-Core": _core, ...withoutTable } = templates;
    expect(inventoryOf(withoutTable).pointInTimeRecovery).toBe(false);
  });
});

describe("Function: costModel", () => {
  it("bills what is deployed: one line per key, a traced function's runs as traces, an untraced one's not", () => {
    const inventory = inventoryOf(templates);
    const ten = costModel(inputs(inventory))["10"];
    const line = (item: string) => ten.lines.find((l) => l.item.startsWith(item));
    expect(line("customer managed keys")).toMatchObject({ quantity: 2, usd: 2 });
    expect(line("alarms")).toMatchObject({ quantity: 2 });
    // 8,760 reconciler + 730 readiness + 730 sweeper + drills and gates: the 43,800 monitor runs are not traced.
    expect(line("traces")?.quantity).toBeLessThan(12_000);
    expect(line("metrics: monitor")).toMatchObject({ quantity: 1, usd: 0.3 });
    expect(line("metrics: readiness")).toMatchObject({ quantity: 1, usd: 0.3 });
  });

  it("prices the open fix (one key for the control plane) and names the stacks that keep their own", () => {
    const inventory = inventoryOf(templates);
    const ten = costModel(inputs(inventory))["10"];
    expect(ten.totalUsd - ten.withFixesUsd).toBeCloseTo(1, 4);
    expect(openFixes(inventory).join(" ")).toContain("Drills creates 1");
  });

  it("has no open fix and no difference once Core's key is the only one", () => {
    const { "bench-clawops-Drills": drills, ...rest } = templates;
    const oneKey: Record<string, CfnTemplate> = {
      ...rest,
      "bench-clawops-Drills": {
        Resources: Object.fromEntries(
          Object.entries(drills?.Resources ?? {}).filter(([, r]) => r.Type !== "AWS::KMS::Key"),
        ),
      },
    };
    const inventory = inventoryOf(oneKey);
    const estimates = costModel(inputs(inventory));
    expect(openFixes(inventory)).toEqual([]);
    expect(estimates["10"].withFixesUsd).toBe(estimates["10"].totalUsd);
    expect(estimates["3"].totalUsd).toBeLessThan(estimates["10"].totalUsd);
    expect(estimates["10"].totalUsd).toBeLessThan(estimates["100"].totalUsd);
  });

  it("fails clearly when the stacks stop deploying a function it prices", () => {
    const { "bench-clawops-Readiness": _readiness, ...rest } = templates;
    expect(() => costModel(inputs(inventoryOf(rest)))).toThrow(/no function readiness\/run/);
  });
});

describe("Bench report: costSection", () => {
  it("shows year 1 and the steady state (year 3 on), each with the target's verdict at 10 instances", async () => {
    const { costSection } = await import("../bench/report.js");
    const rotated: Record<string, CfnTemplate> = {
      ...templates,
      "bench-clawops-Core": {
        Resources: {
          Key: { Type: "AWS::KMS::Key", Properties: { EnableKeyRotation: true } },
          DeadLetters: { Type: "AWS::CloudWatch::Alarm" },
        },
      },
    };
    const { "bench-clawops-Drills": drills, ...rest } = rotated;
    const oneKey = {
      ...rest,
      "bench-clawops-Drills": {
        Resources: Object.fromEntries(
          Object.entries(drills?.Resources ?? {}).filter(([, r]) => r.Type !== "AWS::KMS::Key"),
        ),
      },
    };
    const costInputs = inputs(inventoryOf(oneKey));
    const estimates = costModel(costInputs);
    const text = costSection({ status: "ok", seconds: 1, result: { inputs: costInputs, estimates } }).join(
      "\n",
    );
    const ten = text.split("\n").find((l) => l.startsWith("| 10 instances"));
    expect(estimates["10"].totalUsd - estimates["10"].firstYearUsd).toBeCloseTo(2, 4);
    expect(ten).toContain(`$${estimates["10"].firstYearUsd.toFixed(2)}`);
    expect(ten).toContain(`$${estimates["10"].totalUsd.toFixed(2)}`);
    expect(ten?.match(/met \(< \$3\)|\*\*missed\*\* \(≥ \$3\)/g)).toHaveLength(2);
    expect(text).toContain("AWS Backup | EFS restores");
    // The margin, said plainly: year 1's headroom under the target and where the monitor's item grows a write unit.
    const margin = costMargin(costInputs);
    const headroom = 3 - estimates["10"].firstYearUsd;
    expect(text).toContain(
      `**Margin at 10 instances:** year 1 is $${estimates["10"].firstYearUsd.toFixed(2)}, ` +
        `$${Math.abs(headroom).toFixed(2)} ${headroom >= 0 ? "under the target" : "over it"}`,
    );
    expect(text).toContain(`at ${margin.monitorCrossesAtInstances} instances`);
    expect(text).toContain(`${margin.monitorBytesLeft} B under ${margin.monitorNextKb} KB`);
  });
});
