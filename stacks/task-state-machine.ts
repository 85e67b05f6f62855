import { readFileSync } from "node:fs";
import { aws_iam as iam, type aws_logs as logs, aws_stepfunctions as sfn } from "aws-cdk-lib";
import { NagSuppressions } from "cdk-nag";
import type { Construct } from "constructs";
import type { Function as SstFunction } from "sst/constructs";

/** Props of `taskStateMachine`. */
export interface TaskStateMachineProps {
  /** Path of the ASL file (`stacks/workflows/*.asl.json`). */
  readonly definitionFile: string;
  /**
   * The Lambda tasks, keyed by the `${XxxFunctionArn}` substitution names. Only those the ASL names are
   * substituted and may be invoked, so several workflows can share one map; a name the ASL uses without a
   * function here is refused.
   */
  readonly tasks: Readonly<Record<string, SstFunction>>;
  /** Encrypted log group receiving every execution's events. */
  readonly logGroup: logs.ILogGroup;
  /**
   * Functions the workflow invokes by a name it reads from its input rather than from a substitution (the drill's
   * Verify state invokes the verifier its Plan step chose).
   * @default none
   */
  readonly alsoInvokes?: readonly SstFunction[];
}

/**
 * A Standard state machine from one of clawops' ASL files whose Task states invoke the given Lambda functions:
 * X-Ray on, full logging, and a role that may invoke exactly those functions.
 */
export function taskStateMachine(
  scope: Construct,
  id: string,
  props: TaskStateMachineProps,
): sfn.StateMachine {
  const tasks = tasksNamedBy(props.definitionFile, props.tasks);
  const stateMachine = new sfn.StateMachine(scope, id, {
    definitionBody: sfn.DefinitionBody.fromFile(props.definitionFile),
    definitionSubstitutions: Object.fromEntries(
      Object.entries(tasks).map(([name, fn]) => [name, fn.functionArn]),
    ),
    stateMachineType: sfn.StateMachineType.STANDARD,
    tracingEnabled: true,
    logs: { destination: props.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
  });
  stateMachine.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ["lambda:InvokeFunction"],
      resources: [...Object.values(tasks), ...(props.alsoInvokes ?? [])].map((fn) => fn.functionArn),
    }),
  );
  NagSuppressions.addResourceSuppressions(
    stateMachine,
    [
      {
        id: "AwsSolutions-IAM5",
        reason: "Step Functions log delivery and X-Ray APIs support no resource-level permissions.",
        appliesTo: ["Resource::*"],
      },
    ],
    true,
  );
  return stateMachine;
}

/** The tasks whose `${Name}` substitution the ASL file uses; throws for a name it uses that `tasks` lacks. */
function tasksNamedBy(
  definitionFile: string,
  tasks: Readonly<Record<string, SstFunction>>,
): Record<string, SstFunction> {
  const names = new Set(
    [...readFileSync(definitionFile, "utf8").matchAll(/\$\{(\w+)\}/g)].map((m) => m[1] ?? ""),
  );
  const named: Record<string, SstFunction> = {};
  for (const name of names) {
    const fn = tasks[name];
    if (!fn) throw new Error(`${definitionFile} uses \${${name}}, which no task function provides`);
    named[name] = fn;
  }
  return named;
}
