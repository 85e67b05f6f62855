import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { GetParametersByPathCommand, SSMClient } from "@aws-sdk/client-ssm";
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import type { AlertRouterSettings } from "@clawops/core/alerts";
import { makeClient } from "@clawops/core/aws";
import type { FleetDescription } from "@clawops/core/fleet";
import { CliUserError, NoCredentialsError, NotAvailableError, StageNotDeployedError } from "./errors.js";
import { type Target, TargetFunction } from "./target.js";

/** The SSM parameters the stacks write under `/clawops/<stage>/` (stacks/Core, Fleet, Alerts, Drills, Readiness). */
export const StageParameter = {
  Fleet: "fleet",
  StateTable: "state-table",
  DeadLetterQueueUrl: "dead-letter-queue-url",
  FallbackTopicArn: "fallback-topic-arn",
  DrillStateMachineArn: "drill-state-machine-arn",
  ReadinessFunction: "readiness-function",
  EvalsFunction: "evals-function",
  /** JSON `{ functionName, settings }` of the alert router (stacks/Alerts). */
  AlertRouter: "alert-router",
} as const;

/** What `/clawops/<stage>/alert-router` holds. */
interface AlertRouterParameter {
  readonly functionName: string;
  readonly settings: AlertRouterSettings;
}

const REQUIRED = [StageParameter.Fleet, StageParameter.StateTable] as const;

/** How the CLI looks a stage up; tests replace it (no AWS account here). */
export interface StageLookup {
  /** Resolves credentials from the default chain; throws `NoCredentialsError` when there are none. */
  credentials(region: string): Promise<void>;
  /** Every parameter under `/clawops/<stage>/`, by its name without the prefix. */
  parameters(stage: string, region: string): Promise<Record<string, string>>;
}

/** The real lookup: the SDK's default credential chain and SSM. */
export const awsStageLookup: StageLookup = {
  async credentials() {
    try {
      await defaultProvider()();
    } catch (error) {
      throw new NoCredentialsError({ cause: error });
    }
  },
  async parameters(stage, region) {
    const ssm = makeClient(SSMClient, { region });
    const prefix = `/clawops/${stage}/`;
    const found: Record<string, string> = {};
    let NextToken: string | undefined;
    do {
      const page = await ssm.send(
        new GetParametersByPathCommand({ Path: prefix, Recursive: false, NextToken }),
      );
      for (const p of page.Parameters ?? [])
        if (p.Name && p.Value) found[p.Name.slice(prefix.length)] = p.Value;
      NextToken = page.NextToken;
    } while (NextToken);
    return found;
  },
};

/** AWS answers these when the credentials exist but no longer work: a user problem, not a bug. */
const EXPIRED = new Set([
  "ExpiredTokenException",
  "ExpiredToken",
  "UnrecognizedClientException",
  "InvalidClientTokenId",
]);

/** Opens a deployed stage: credentials, then its parameters, then the fleet description. */
export async function openStage(
  stage: string,
  region: string,
  lookup: StageLookup = awsStageLookup,
): Promise<Target> {
  await lookup.credentials(region);
  let parameters: Record<string, string>;
  try {
    parameters = await lookup.parameters(stage, region);
  } catch (error) {
    if (EXPIRED.has((error as Error).name))
      throw new CliUserError(
        "your AWS credentials are expired or invalid: run aws sso login or set AWS_PROFILE",
        {
          cause: error,
        },
      );
    throw error;
  }
  const missing = REQUIRED.filter((name) => !parameters[name]);
  if (missing.length > 0)
    throw new StageNotDeployedError(
      stage,
      region,
      missing.map((m) => `/clawops/${stage}/${m}`),
    );
  let description: FleetDescription;
  try {
    description = JSON.parse(parameters[StageParameter.Fleet] ?? "") as FleetDescription;
  } catch (error) {
    throw new CliUserError(
      `/clawops/${stage}/fleet is not JSON: redeploy with npx sst deploy --stage ${stage}`,
      {
        cause: error,
      },
    );
  }
  const alertRouter = (): AlertRouterParameter => {
    const value = parameters[StageParameter.AlertRouter];
    if (!value)
      throw new NotAvailableError(
        `stage ${stage} has no alerts stack (/clawops/${stage}/alert-router): run npx sst deploy --stage ${stage}`,
      );
    return JSON.parse(value) as AlertRouterParameter;
  };
  const functionName = (fn: TargetFunction): string => {
    const name =
      fn === TargetFunction.Readiness
        ? parameters[StageParameter.ReadinessFunction]
        : fn === TargetFunction.EvalsIngest
          ? parameters[StageParameter.EvalsFunction]
          : alertRouter().functionName;
    if (!name)
      throw new NotAvailableError(
        `stage ${stage} has no ${fn} function deployed: run npx sst deploy --stage ${stage}`,
      );
    return name;
  };
  const optional = (name: string) => (parameters[name] ? { [name]: parameters[name] } : {});
  const clients = new Map<unknown, unknown>();
  return {
    kind: "stage",
    stage,
    region,
    description,
    resources: {
      stateTable: parameters[StageParameter.StateTable] ?? "",
      ...renameKeys(optional(StageParameter.DeadLetterQueueUrl), "deadLetterQueueUrl"),
      ...renameKeys(optional(StageParameter.DrillStateMachineArn), "drillStateMachineArn"),
      ...renameKeys(optional(StageParameter.FallbackTopicArn), "fallbackTopicArn"),
    },
    client(Ctor) {
      let made = clients.get(Ctor) as InstanceType<typeof Ctor> | undefined;
      if (!made) {
        made = makeClient(Ctor, { region });
        clients.set(Ctor, made);
      }
      return made;
    },
    async invoke(fn, payload) {
      const result = await makeClient(LambdaClient, { region }).send(
        new InvokeCommand({ FunctionName: functionName(fn), Payload: JSON.stringify(payload) }),
      );
      const body = result.Payload ? JSON.parse(Buffer.from(result.Payload).toString("utf8") || "null") : null;
      if (result.FunctionError) {
        const message = (body as { errorMessage?: string } | null)?.errorMessage ?? result.FunctionError;
        throw new CliUserError(`the ${fn} function failed: ${message} (see its CloudWatch logs)`);
      }
      return body;
    },
    alertRouterSettings: async () => alertRouter().settings,
    // The account is in every ARN the fleet description carries: no STS call needed.
    account: async () => accountOf(description),
    during: (work) => work,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
    close: async () => {},
  };
}

function renameKeys(record: Record<string, string>, to: string): Record<string, string> {
  const value = Object.values(record)[0];
  return value === undefined ? {} : { [to]: value };
}

/** The account id from the fleet description's ARNs (`arn:aws:iam::123456789012:role/...`). */
export function accountOf(description: FleetDescription): string {
  return description.instanceRoleArn.split(":")[4] ?? "";
}
