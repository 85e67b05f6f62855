import { paginate } from "./pagination.js";
import { awsError, type ServiceModel } from "./simulator.js";
import type { SandboxWorld } from "./world.js";

/** One deployed function as Lambda's ListFunctions shows it: name, runtime and its environment variables. */
export interface SandboxFunction {
  readonly functionName: string;
  readonly arn: string;
  readonly runtime: string;
  readonly handler: string;
  readonly roleArn: string;
  /** Environment variables as the stack sets them (names and values; never a secret). */
  variables: Record<string, string>;
}

export interface LambdaModel extends ServiceModel {
  readonly functions: Map<string, SandboxFunction>;
  /** Adds (or replaces) a function, as a deployment would; returns it. */
  deploy(spec: {
    functionName: string;
    variables: Record<string, string>;
    handler?: string;
    roleArn?: string;
  }): SandboxFunction;
}

/**
 * AWS Lambda's control plane as far as clawops reads it: the region's functions with their configuration
 * (ListFunctions, paginated 50 a page by `Marker`), GetFunctionConfiguration, and UpdateFunctionConfiguration
 * of the environment (how an operator would put a variable, or drift would).
 */
export function lambdaModel(world: SandboxWorld): LambdaModel {
  const functions = new Map<string, SandboxFunction>();
  const byName = (name: unknown) => {
    const id = String(name ?? "");
    const found = functions.get(id) ?? [...functions.values()].find((f) => f.arn === id);
    if (!found)
      throw awsError(
        "ResourceNotFoundException",
        `Function not found: ${world.arn("lambda", `function:${id}`)}`,
        {
          status: 404,
        },
      );
    return found;
  };
  const configuration = (f: SandboxFunction) => ({
    FunctionName: f.functionName,
    FunctionArn: f.arn,
    Runtime: f.runtime,
    Handler: f.handler,
    Role: f.roleArn,
    Architectures: ["arm64"],
    State: "Active",
    LastUpdateStatus: "Successful",
    PackageType: "Zip",
    ...(Object.keys(f.variables).length > 0 ? { Environment: { Variables: { ...f.variables } } } : {}),
  });
  return {
    service: "Lambda",
    functions,
    deploy(spec) {
      const fn: SandboxFunction = {
        functionName: spec.functionName,
        arn: world.arn("lambda", `function:${spec.functionName}`),
        runtime: "nodejs24.x",
        handler: spec.handler ?? "index.handler",
        roleArn: spec.roleArn ?? `arn:aws:iam::${world.account}:role/${spec.functionName.slice(0, 50)}-role`,
        variables: { ...spec.variables },
      };
      functions.set(fn.functionName, fn);
      return fn;
    },
    commands: {
      ListFunctions(input) {
        const all = [...functions.values()].sort((a, b) => a.functionName.localeCompare(b.functionName));
        const page = paginate(all, {
          maxResults: input.MaxItems as number | undefined,
          nextToken: input.Marker as string | undefined,
          defaultSize: 50,
          errorName: "InvalidParameterValueException",
        });
        return {
          Functions: page.items.map(configuration),
          ...(page.nextToken ? { NextMarker: page.nextToken } : {}),
        };
      },
      GetFunctionConfiguration(input) {
        return configuration(byName(input.FunctionName));
      },
      UpdateFunctionConfiguration(input) {
        const fn = byName(input.FunctionName);
        const environment = input.Environment as { Variables?: Record<string, string> } | undefined;
        if (environment) fn.variables = { ...(environment.Variables ?? {}) };
        return configuration(fn);
      },
    },
  };
}
