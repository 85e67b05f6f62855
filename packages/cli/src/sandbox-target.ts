import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { logger, withFunctionEnvironment } from "@clawops/core";
import { client } from "@clawops/core/aws";
import type { ClawopsConfigInput } from "@clawops/core/config";
import type { Sandbox, SandboxOptions } from "@clawops/sandbox";
import type { Context } from "aws-lambda";
import { CliUserError } from "./errors.js";
import { importSandbox } from "./sandbox-module.js";
import { accountOf } from "./stage-target.js";
import { type Target, TargetFunction, type TargetResources } from "./target.js";

/** How `--sandbox` starts its sandbox; tests pass a small fleet and their own faults. */
export interface SandboxTargetOptions {
  readonly config?: ClawopsConfigInput;
  /** The file `config` was loaded from (`--config`), named by its validation errors. */
  readonly configSource?: string;
  /** @default 2 */
  readonly fleetSize?: number;
  readonly sandbox?: Omit<SandboxOptions, "config" | "fleetSize">;
  /** Called with what the boot is doing (the progress line). */
  readonly onProgress?: (label: string) => void;
  /** Resources to use instead of the sandbox's own (its dead-letter queue is the SQS model's). */
  readonly resources?: Partial<TargetResources>;
  /** Runs on the booted sandbox before the command (tests inject drift or dead letters here). */
  readonly prepare?: (sandbox: Sandbox) => Promise<void> | void;
  /**
   * Flows that stay installed while the command runs, beyond the restore drill: the failure drill needs the
   * launch gate and health monitor (lifecycle), the alert router and its own workflow.
   */
  readonly flows?: readonly SandboxFlow[];
}

/** A flow `openSandbox` can keep installed for the command. */
export type SandboxFlow = "failure-drill";

/** What a flow's sandbox installer returns. */
interface FlowInstall {
  uninstall(): void;
}

const lambdaContext = (name: string) =>
  ({
    functionName: name,
    awsRequestId: "clawops-cli",
    getRemainingTimeInMillis: () => 900_000,
  }) as unknown as Context;

/**
 * Boots the sandbox for one command: the fleet comes up through the real launch gate (the lifecycle flow is
 * installed, its reconciler hands the launch actions to the gate, the monitor runs), then the lifecycle
 * schedules are removed so the command's own functions own the process environment.
 */
export async function openSandbox(options: SandboxTargetOptions = {}): Promise<Target> {
  const progress = options.onProgress ?? (() => {});
  logger.setLogLevel("SILENT"); // In-process handlers must not print their JSON logs into the CLI's output.
  progress("starting the sandbox (simulated AWS, gateway processes, Slack and DynamoDB servers)");
  const { createSandbox } = await importSandbox();
  const sandbox = await createSandbox({
    ...options.sandbox,
    ...(options.config ? { config: options.config } : {}),
    ...(options.configSource ? { configSource: options.configSource } : {}),
    fleetSize: options.fleetSize ?? 2,
  });
  const installed: FlowInstall[] = [];
  try {
    await bootFleet(sandbox, progress);
    if (options.flows?.includes("failure-drill"))
      installed.push(...(await installFailureDrillFlows(sandbox)));
    await options.prepare?.(sandbox);
    const { installDrills } = await import("@clawops/sandbox/gameday/scenes/drills");
    const drills = await installDrills(sandbox);
    installed.push(drills);
    return sandboxTarget(sandbox, drills.stateMachineArn, installed, options.resources ?? {});
  } catch (error) {
    for (const flow of installed) flow.uninstall();
    await sandbox.close();
    throw error;
  }
}

/** The lifecycle flow (launch gate, monitor), the alert router and the failure drill, as the game day has them. */
async function installFailureDrillFlows(sandbox: Sandbox): Promise<FlowInstall[]> {
  const { installLifecycle } = await import("@clawops/sandbox/gameday/scenes/lifecycle");
  const { installAlerts } = await import("@clawops/sandbox/gameday/scenes/alerts");
  const { installFailureDrill } = await import("@clawops/sandbox/gameday/scenes/failure-drill");
  const flows: FlowInstall[] = [];
  try {
    flows.push(await installLifecycle(sandbox));
    flows.push(await installAlerts(sandbox));
    flows.push(await installFailureDrill(sandbox));
    return flows;
  } catch (error) {
    for (const flow of flows) flow.uninstall();
    throw error;
  }
}

async function bootFleet(sandbox: Sandbox, progress: (label: string) => void): Promise<void> {
  const { installLifecycle } = await import("@clawops/sandbox/gameday/scenes/lifecycle");
  const lifecycle = await installLifecycle(sandbox);
  try {
    const { clock, fleet } = sandbox;
    progress(`booting ${fleet.instances().length} instances through the launch gate`);
    await clock.runUntil(() => fleet.instances().some((i) => i.lifecycleState === "Pending:Wait"), {
      limitMs: 60_000,
    });
    await lifecycle.reconcile();
    const up = await clock.runUntil(
      () => fleet.instances().every((i) => i.lifecycleState === "InService" && i.gatewayPort !== undefined),
      { limitMs: 30 * 60_000 },
    );
    if (!up) throw new Error("the sandbox fleet did not come up within 30 sandbox minutes");
    progress("the health monitor probes the fleet");
    await clock.advance(2 * 60_000); // Two monitor runs on its one-minute schedule.
  } finally {
    lifecycle.uninstall();
  }
}

function sandboxTarget(
  sandbox: Sandbox,
  drillStateMachineArn: string,
  installed: readonly FlowInstall[],
  extra: Partial<TargetResources>,
): Target {
  const { config, description, clock } = sandbox;
  const table = sandbox.dynamo.table;
  const deadLetterQueueUrl = extra.deadLetterQueueUrl ?? sandbox.deadLetters.url;
  const base = {
    CLAWOPS_STATE_TABLE: table,
    CLAWOPS_STAGE: config.stage,
    CLAWOPS_DLQ_URL: deadLetterQueueUrl,
  };
  let slackSecretArn: Promise<string> | undefined;
  const secret = () => {
    slackSecretArn ??= client(SecretsManagerClient)
      .send(
        new CreateSecretCommand({
          Name: `clawops-${config.stage}-alerts-slack`,
          SecretString: JSON.stringify({ botToken: sandbox.slack.token }),
        }),
      )
      .then((r) => r.ARN ?? "");
    return slackSecretArn;
  };
  const at = () => new Date(clock.now());
  const routerSettings = async () => {
    const { alertRouterSettings } = await import("@clawops/core/alerts");
    const settings = alertRouterSettings(config, { slackSecretArn: await secret() });
    return { ...settings, slack: { ...settings.slack, apiUrl: sandbox.slack.apiUrl } };
  };
  const run = async (fn: TargetFunction, payload: unknown): Promise<unknown> => {
    if (fn === TargetFunction.Readiness) {
      const { readinessSettings, READINESS_PROBE_MARKER } = await import("@clawops/core/readiness");
      const { createRunHandler } = await import("../../../functions/readiness/run.js");
      // What the deployed stacks give readiness to look at (the roles, the alerts secret, the on-instance
      // probe), as the game day deploys it; what an operator does (backups, drills, attestations) is not done.
      const { deployForReadiness } = await import("@clawops/sandbox/gameday/scenes/readiness-deployment");
      const { readinessProbeSimulator } = await import("@clawops/sandbox/readiness-probe");
      const deployment = await deployForReadiness(sandbox);
      sandbox.aws.models.ssm.onScript(
        READINESS_PROBE_MARKER,
        readinessProbeSimulator(deployment.host).simulate,
      );
      const settings = JSON.stringify(readinessSettings(config, description, deployment.alerts));
      const handler = createRunHandler({ sleep: (ms) => clock.sleep(ms), now: at });
      return withFunctionEnvironment({ ...base, CLAWOPS_SETTINGS: settings }, () =>
        handler(payload, lambdaContext("readiness")),
      );
    }
    if (fn === TargetFunction.EvalsIngest) {
      const { createIngestHandler } = await import("../../../functions/readiness/evals.js");
      const handler = createIngestHandler({ now: at });
      return withFunctionEnvironment(base, () => handler(payload, lambdaContext("evals")));
    }
    const { makeAlertRouter } = await import("../../../functions/alerts/router.js");
    const env = {
      region: config.app.region,
      stage: config.stage,
      stateTable: table,
      deadLetterQueueUrl,
      eventBusName: "default",
      settings: JSON.stringify(await routerSettings()),
    };
    const router = makeAlertRouter({
      env,
      secretsCacheKey: `clawops-cli-${sandbox.slack.url}`,
      clock: { now: () => clock.now(), sleep: (ms) => clock.sleep(ms) },
    });
    return router(payload, lambdaContext("alert-router") as never);
  };
  return {
    kind: "sandbox",
    stage: config.stage,
    region: config.app.region,
    description,
    resources: {
      ...extra,
      deadLetterQueueUrl,
      stateTable: table,
      drillStateMachineArn,
    },
    // The sandbox's interceptor answers every client of the factory, whatever its region.
    client: (Ctor) => client(Ctor),
    invoke(fn, payload) {
      return this.during(run(fn, payload));
    },
    alertRouterSettings: routerSettings,
    account: async () => accountOf(description),
    async during(work, limitMs = 6 * 3_600_000) {
      let settled = false;
      const tracked = work.finally(() => {
        settled = true;
      });
      tracked.catch(() => undefined); // Handled by the caller once the clock stops; not an unhandled rejection.
      if (!(await clock.runUntil(() => settled, { limitMs }))) {
        throw new CliUserError(`gave up after ${limitMs / 60_000} sandbox minutes`);
      }
      return tracked;
    },
    sleep: (ms) => clock.advance(ms),
    now: () => clock.now(),
    async close() {
      for (const flow of installed) flow.uninstall();
      await sandbox.close();
    },
  };
}
