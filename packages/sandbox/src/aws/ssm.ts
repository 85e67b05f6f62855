import { gatewayUnitSimulators } from "./gateway-unit.js";
import { paginate } from "./pagination.js";
import { awsError, type ServiceModel } from "./simulator.js";
import type { SandboxWorld, SimInstance } from "./world.js";

type Input = Record<string, unknown>;

/** What a simulated script printed and how it ended. */
export interface ScriptResult {
  /** @default "Success" when exitCode is 0, else "Failed" */
  readonly status?: "Success" | "Failed";
  /** @default 0 */
  readonly exitCode?: number;
  readonly stdout: string;
  readonly stderr?: string;
}

/**
 * Runs one `AWS-RunShellScript` command on one simulated instance. A simulator that does real I/O (an HTTP
 * probe) wraps it in `world.clock.track`; one that waits on the sandbox clock must not.
 */
export type ScriptSimulator = (instance: SimInstance, commands: readonly string[]) => Promise<ScriptResult>;

/** SSM output limits (GetCommandInvocation: stdout 24,000 and stderr 8,000; CommandPlugin.Output: 2,500). */
export const OUTPUT_LIMITS = { stdout: 24_000, stderr: 8_000, pluginOutput: 2_500 } as const;

type InvocationStatus = "Pending" | "InProgress" | "Success" | "Failed" | "TimedOut" | "Cancelled";

export interface Invocation {
  readonly commandId: string;
  readonly instanceId: string;
  readonly documentName: string;
  readonly comment: string;
  readonly commands: readonly string[];
  readonly requestedAt: number;
  /** Before this time the invocation does not exist yet for Get/ListCommandInvocation(s). */
  readonly visibleAt: number;
  status: InvocationStatus;
  statusDetails: string;
  responseCode: number;
  stdout: string;
  stderr: string;
  startedAt?: number;
  endedAt?: number;
}

export interface SsmOptions {
  /** How long after SendCommand the invocations stay invisible (AWS: InvocationDoesNotExist). @default 1_000 */
  readonly visibilityDelayMs?: number;
  /** SendCommand → the agent starts the script. @default 500 */
  readonly deliveryDelayMs?: number;
}

/**
 * How a hung instance fails Run Command: `scripts`, its agent takes commands but no script finishes (CPU
 * starved, disk I/O or an EFS mount stuck) and the agent ends each at its executionTimeout (`TimedOut`,
 * ExecutionTimedOut); `agent`, nothing on it answers SSM and each command expires undelivered (`TimedOut`,
 * DeliveryTimedOut, after TimeoutSeconds + executionTimeout) as it would in an SSM outage.
 */
export type HungInstance = "scripts" | "agent";

/** The SSM model, with the script simulators it runs commands with. */
export interface SsmModel extends ServiceModel {
  /** Registers the simulator for scripts whose first line is `marker`. */
  onScript(marker: string, simulator: ScriptSimulator): void;
  /** Hangs an instance for the commands sent from now on (`undefined`: it answers again). */
  hang(instanceId: string, how: HungInstance | undefined): void;
  readonly invocations: Invocation[];
  readonly parameters: Map<
    string,
    { Value: string; Type: string; Version: number; LastModifiedDate: number }
  >;
}

const iso = (ms: number | undefined) => (ms === undefined ? "" : new Date(ms).toISOString());

/**
 * SSM Run Command and Parameter Store, with AWS's timing quirks on the sandbox clock. Scripts run by their
 * first line (`onScript`); the failure drill's gateway stop/start scripts are registered from the start.
 */
export function ssmModel(world: SandboxWorld, options: SsmOptions = {}): SsmModel {
  const visibilityDelay = options.visibilityDelayMs ?? 1_000;
  const deliveryDelay = options.deliveryDelayMs ?? 500;
  // The failure drill's systemctl scripts act on the instance's gateway process itself: always known.
  const simulators = new Map<string, ScriptSimulator>(gatewayUnitSimulators(world));
  const invocations: Invocation[] = [];
  const parameters: SsmModel["parameters"] = new Map();
  const hung = new Map<string, HungInstance>();

  const visible = (i: Invocation) => world.clock.now() >= i.visibleAt;

  function finish(
    invocation: Invocation,
    status: InvocationStatus,
    details: string,
    result?: ScriptResult,
  ): void {
    if (!["Pending", "InProgress"].includes(invocation.status)) return;
    invocation.status = status;
    invocation.statusDetails = details;
    invocation.endedAt = world.clock.now();
    if (result) {
      invocation.responseCode = result.exitCode ?? 0;
      invocation.stdout = result.stdout;
      invocation.stderr = result.stderr ?? "";
    }
  }

  function run(
    invocation: Invocation,
    instance: SimInstance,
    simulator: ScriptSimulator,
    timeoutSeconds: number,
    deliveryTimeoutSeconds: number,
  ): void {
    const how = hung.get(instance.instanceId);
    // AWS: a command the agent has not received within TimeoutSeconds + executionTimeout ends DeliveryTimedOut.
    if (how === "agent") {
      world.clock.schedule((deliveryTimeoutSeconds + timeoutSeconds) * 1000, () =>
        finish(invocation, "TimedOut", "DeliveryTimedOut"),
      );
      return;
    }
    world.clock.schedule(deliveryDelay, () => {
      if (instance.state !== "running" && instance.state !== "pending") {
        finish(invocation, "Failed", "Undeliverable");
        return;
      }
      invocation.status = "InProgress";
      invocation.statusDetails = "InProgress";
      invocation.startedAt = world.clock.now();
      // The agent kills the script at executionTimeout; the invocation then ends TimedOut.
      const cancel = world.clock.schedule(timeoutSeconds * 1000, () =>
        finish(invocation, "TimedOut", "ExecutionTimedOut"),
      );
      if (how === "scripts") return;
      simulator(instance, invocation.commands).then(
        (result) => {
          cancel();
          const exit = result.exitCode ?? 0;
          const status = result.status ?? (exit === 0 ? "Success" : "Failed");
          finish(invocation, status, status, {
            ...result,
            exitCode: status === "Failed" && exit === 0 ? 1 : exit,
          });
        },
        (error: Error) => {
          cancel();
          finish(invocation, "Failed", "Failed", {
            exitCode: 1,
            stdout: "",
            stderr: `sandbox script simulator failed: ${error.message}`,
          });
        },
      );
    });
  }

  function describeInvocation(i: Invocation, details: boolean) {
    const row: Record<string, unknown> = {
      CommandId: i.commandId,
      InstanceId: i.instanceId,
      InstanceName: "",
      Comment: i.comment,
      DocumentName: i.documentName,
      DocumentVersion: "$DEFAULT",
      RequestedDateTime: new Date(i.requestedAt),
      Status: i.status,
      StatusDetails: i.statusDetails,
      StandardOutputUrl: "",
      StandardErrorUrl: "",
      CommandPlugins: [],
    };
    if (details) {
      const errors = i.stderr ? `\n----------ERROR-------\n${i.stderr}` : "";
      row.CommandPlugins = [
        {
          Name: "aws:runShellScript",
          Status: i.status,
          StatusDetails: i.statusDetails,
          ResponseCode: i.responseCode,
          ResponseStartDateTime: i.startedAt === undefined ? undefined : new Date(i.startedAt),
          ResponseFinishDateTime: i.endedAt === undefined ? undefined : new Date(i.endedAt),
          Output: `${i.stdout}${errors}`.slice(0, OUTPUT_LIMITS.pluginOutput),
          StandardOutputUrl: "",
          StandardErrorUrl: "",
        },
      ];
    }
    return row;
  }

  return {
    service: "SSM",
    invocations,
    parameters,
    onScript(marker, simulator) {
      simulators.set(marker.trim(), simulator);
    },
    hang(instanceId, how) {
      if (how) hung.set(instanceId, how);
      else hung.delete(instanceId);
    },
    commands: {
      SendCommand(input: Input) {
        const ids = (input.InstanceIds as string[] | undefined) ?? [];
        if (input.Targets) throw new Error("not simulated: SSM.SendCommand with Targets (send InstanceIds)");
        // AWS documents at most 50 instance ids per command.
        if (ids.length > 50)
          throw awsError(
            "ValidationException",
            `1 validation error detected: Value '[${ids.join(", ")}]' at 'instanceIds' failed to satisfy constraint: Member must have length less than or equal to 50`,
          );
        if (ids.length === 0)
          throw awsError("ValidationException", "InstanceIds or Targets must be specified");
        const document = String(input.DocumentName ?? "");
        if (document !== "AWS-RunShellScript")
          throw awsError("InvalidDocument", `Document ${document} does not exist in your account`);
        const parameterValues = (input.Parameters as Record<string, string[]> | undefined) ?? {};
        const commands = parameterValues.commands ?? [];
        const marker = (commands[0] ?? "").trim();
        const simulator = simulators.get(marker);
        if (!simulator)
          throw new Error(
            `not simulated: SSM script starting with ${JSON.stringify(marker)} (register it with ssm.onScript)`,
          );
        // A new instance answers InvalidInstanceId until its agent has registered.
        const instances = ids.map((id) => world.instances.get(id));
        if (instances.some((i) => !i?.agentRegistered))
          throw awsError(
            "InvalidInstanceId",
            `Instances [[${ids.filter((_, n) => !instances[n]?.agentRegistered).join(", ")}]] not in a valid state for account ${world.account}`,
          );
        const timeoutSeconds = Number(parameterValues.executionTimeout?.[0] ?? 3600);
        const deliveryTimeoutSeconds = Number(input.TimeoutSeconds ?? 3600);
        const commandId = world.uuid("command");
        const now = world.clock.now();
        for (const instance of instances as SimInstance[]) {
          const invocation: Invocation = {
            commandId,
            instanceId: instance.instanceId,
            documentName: document,
            comment: String(input.Comment ?? ""),
            commands,
            requestedAt: now,
            visibleAt: now + visibilityDelay,
            status: "Pending",
            statusDetails: "Pending",
            responseCode: -1,
            stdout: "",
            stderr: "",
          };
          invocations.push(invocation);
          run(invocation, instance, simulator, timeoutSeconds, deliveryTimeoutSeconds);
        }
        return {
          Command: {
            CommandId: commandId,
            DocumentName: document,
            Comment: String(input.Comment ?? ""),
            InstanceIds: ids,
            Parameters: parameterValues,
            RequestedDateTime: new Date(now),
            Status: "Pending",
            StatusDetails: "Pending",
            TargetCount: ids.length,
            TimeoutSeconds: input.TimeoutSeconds,
          },
        };
      },
      GetCommandInvocation(input: Input) {
        const found = invocations.find(
          (i) => i.commandId === input.CommandId && i.instanceId === input.InstanceId && visible(i),
        );
        // Right after SendCommand the invocation does not exist yet: callers retry.
        if (!found) throw awsError("InvocationDoesNotExist", "");
        const done = !["Pending", "InProgress"].includes(found.status);
        return {
          CommandId: found.commandId,
          InstanceId: found.instanceId,
          Comment: found.comment,
          DocumentName: found.documentName,
          DocumentVersion: "$DEFAULT",
          PluginName: "aws:runShellScript",
          ResponseCode: found.responseCode,
          ExecutionStartDateTime: iso(found.startedAt),
          ExecutionElapsedTime:
            found.startedAt === undefined
              ? ""
              : `PT${((world.clock.now() - found.startedAt) / 1000).toFixed(3)}S`,
          ExecutionEndDateTime: iso(found.endedAt),
          Status: found.status,
          StatusDetails: found.statusDetails,
          StandardOutputContent: done ? found.stdout.slice(0, OUTPUT_LIMITS.stdout) : "",
          StandardOutputUrl: "",
          StandardErrorContent: done ? found.stderr.slice(0, OUTPUT_LIMITS.stderr) : "",
          StandardErrorUrl: "",
          CloudWatchOutputConfig: { CloudWatchLogGroupName: "", CloudWatchOutputEnabled: false },
        };
      },
      ListCommandInvocations(input: Input) {
        const rows = invocations.filter(
          (i) =>
            visible(i) &&
            (!input.CommandId || i.commandId === input.CommandId) &&
            (!input.InstanceId || i.instanceId === input.InstanceId),
        );
        const max = input.MaxResults as number | undefined;
        if (max !== undefined && (max < 1 || max > 50))
          throw awsError(
            "ValidationException",
            "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50",
          );
        const page = paginate(rows, {
          maxResults: max,
          nextToken: input.NextToken as string | undefined,
          defaultSize: 50,
          errorName: "InvalidNextToken",
        });
        return {
          CommandInvocations: page.items.map((i) => describeInvocation(i, input.Details === true)),
          NextToken: page.nextToken,
        };
      },
      GetParameter(input: Input) {
        const { name, selector } = parameterReference(world, String(input.Name));
        const found = parameters.get(name);
        if (!found) throw awsError("ParameterNotFound", "");
        // Only the latest version is kept: a `:version` selector finds it or nothing; labels are not modelled.
        if (selector !== undefined && selector !== String(found.Version))
          throw /^\d+$/.test(selector)
            ? awsError(
                "ParameterVersionNotFound",
                `Systems Manager could not find version ${selector} of ${name}.`,
              )
            : awsError(
                "ParameterVersionLabelNotFound",
                `Systems Manager could not find label ${selector} of ${name}.`,
              );
        return {
          Parameter: {
            Name: name,
            Type: found.Type,
            Value: found.Value,
            Version: found.Version,
            ...(selector !== undefined ? { Selector: `:${selector}` } : {}),
            LastModifiedDate: new Date(found.LastModifiedDate),
            ARN: world.arn("ssm", `parameter${name.startsWith("/") ? "" : "/"}${name}`),
            DataType: "text",
          },
        };
      },
      GetParameterHistory(input: Input) {
        const name = parameterReference(world, String(input.Name)).name;
        const found = parameters.get(name);
        if (!found) throw awsError("ParameterNotFound", "");
        // Only the latest version is kept (see GetParameter): the history is that one version, as AWS lists it.
        return {
          Parameters: [
            {
              Name: name,
              Type: found.Type,
              Value: found.Value,
              Version: found.Version,
              LastModifiedDate: new Date(found.LastModifiedDate),
              DataType: "text",
              Tier: "Standard",
              Labels: [],
              Policies: [],
            },
          ],
        };
      },
      PutParameter(input: Input) {
        const name = String(input.Name);
        const existing = parameters.get(name);
        if (existing && input.Overwrite !== true)
          throw awsError(
            "ParameterAlreadyExists",
            "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.",
          );
        const version = (existing?.Version ?? 0) + 1;
        parameters.set(name, {
          Value: String(input.Value),
          Type: String(input.Type ?? existing?.Type ?? "String"),
          Version: version,
          LastModifiedDate: world.clock.now(),
        });
        return { Version: version, Tier: "Standard" };
      },
    },
  };
}

/**
 * The parameter a GetParameter `Name` means, as AWS reads it: a name or this account's parameter ARN
 * (`arn:aws:ssm:<region>:<account>:parameter/<name>`), either optionally followed by `:<version>` or
 * `:<label>`. Another account's or region's ARN names nothing here.
 */
function parameterReference(world: SandboxWorld, reference: string): { name: string; selector?: string } {
  const arnPrefix = world.arn("ssm", "parameter/");
  // In an ARN a hierarchical name (`/a/b`) loses its leading slash; a flat name (`a`) never had one.
  const fromArn = (rest: string) => (rest.split(":")[0]?.includes("/") ? `/${rest}` : rest);
  const path = reference.startsWith("arn:")
    ? reference.startsWith(arnPrefix)
      ? fromArn(reference.slice(arnPrefix.length))
      : ""
    : reference;
  const colon = path.indexOf(":");
  if (colon < 0) return { name: path };
  return { name: path.slice(0, colon), selector: path.slice(colon + 1) };
}
