import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { SstBuildOptions } from "./lazy-bundles.js";

type Plugin = NonNullable<SstBuildOptions["plugins"]>[number];

/** The plugin's name, as esbuild reports it. */
export const SDK_SCHEMAS_PLUGIN = "clawops-sdk-schemas";

/** A client's schemas module: `@aws-sdk/client-*` or one of `@aws-sdk/nested-clients`' (STS, SSO, ...). */
const SCHEMAS =
  /[\\/]@aws-sdk[\\/](?:client-[^\\/]+[\\/]dist-es|nested-clients[\\/]dist-es[\\/]submodules[\\/][^\\/]+)[\\/]schemas[\\/]schemas_\d+\.js$/;

/** `n0_registry.registerError(ThrottlingException$, ThrottlingException);`: one modeled error of the service. */
const REGISTRATION = /^n\d+_registry\.registerError\(([\w$]+)\$, ([\w$]+)\);$/gm;

/** `const _xN = "xmlName";`: the schemas module's names for the strings it uses. */
const STRING_CONSTANT = /^const ([\w$]+) = ("(?:[^"\\\n]|\\.)*");$/gm;

/** `{ [_xN]: _AIc }`: a trait keyed by one of those constants. */
const COMPUTED_KEY = /\[([\w$]+)\]:/g;

/**
 * An esbuild plugin (passed to SST as `nodejs.esbuild.plugins`) that lets esbuild drop what an AWS SDK client's
 * schemas module defines for the operations and errors a function never uses. Such a module describes every
 * operation, structure and error of the service, and a bundler keeps much of it, for two reasons this plugin
 * removes. Measured with `npm run bundle`: lifecycle/monitor 351.9 → 267.1 KB, drills/plan 358.5 → 246.7 KB;
 * import times in docs/benchmarks.md.
 *
 * 1. **Traits keyed by a constant** (`{ [_xN]: _AIc }`, where `const _xN = "xmlName"`). esbuild cannot prove a
 *    computed key free of side effects (it could be an object with a `toString`), so it keeps every structure
 *    that has one, and all those it refers to: SSM's `GetParameter` alone kept 26 KB of SSM's schemas. The
 *    plugin writes the key as the string it is (`{ "xmlName": _AIc }`): the same object, which esbuild can drop.
 * 2. **Error registrations.** The module registers every error of the service when it is imported (SSM: 141
 *    classes and their schemas, 43 KB). It keeps only the registrations of errors that declare `$retryable`,
 *    which the SDK's retry strategy reads (DynamoDB's `ReplicatedWriteConflictException`, STS's
 *    `IDPCommunicationErrorException`), and each service's base exception, which the SDK needs for the others:
 *    every AWS protocol's `handleError` throws an error it has no class for as the service's base exception
 *    (`SSMServiceException`) with the error's `name`, `message`, `$fault`, `$metadata` and the response's fields.
 *    Throttling and transient errors are retried by name and status, registered or not. So clawops tells SDK
 *    errors apart by `name` (`error.name === "ConditionalCheckFailedException"`), never by `instanceof` of an
 *    error class: a test holds every source file to that (stacks/tests/sdk-schemas.test.ts).
 *
 * A schemas module whose code is not of the shapes above is left as it is (an SDK release that changes its
 * generated code then costs bytes, never behaviour); the plugin's test fails on that for the pinned clients.
 */
export function sdkSchemas(): Plugin {
  return {
    name: SDK_SCHEMAS_PLUGIN,
    setup(build) {
      build.onLoad({ filter: SCHEMAS }, async (args) => {
        const source = await readFile(args.path, "utf8");
        const keyed = staticKeys(source);
        const pruned =
          (await pruneRegistrations(keyed, () =>
            readFile(join(dirname(args.path), "..", "models", "errors.js"), "utf8"),
          )) ?? keyed;
        return pruned === source ? undefined : { contents: pruned, loader: "js" };
      });
    },
  };
}

/**
 * The module with every computed key that is one of its string constants written as that string, except
 * `__proto__`, which as a literal key would set the object's prototype instead (and, to be sure of that, any
 * string with an escape).
 */
export function staticKeys(source: string): string {
  const strings = new Map<string, string>();
  for (const [, name, literal] of source.matchAll(STRING_CONSTANT))
    if (name && literal && literal !== '"__proto__"' && !literal.includes("\\")) strings.set(name, literal);
  return source.replace(COMPUTED_KEY, (key, name: string) => {
    const literal = strings.get(name);
    return literal === undefined ? key : `${literal}:`;
  });
}

/**
 * A schemas module with only the registrations of retryable errors left (and each service's base exception, which
 * is registered in another namespace); the module as it is when it registers no modeled error (EC2 models none);
 * `undefined` when any registration has another shape.
 */
export async function pruneRegistrations(
  source: string,
  errorsModule: () => Promise<string>,
): Promise<string | undefined> {
  const registrations = source.match(REGISTRATION) ?? [];
  const all = source.split("\n").filter((line) => /^n\d+_registry\.registerError\(/.test(line));
  if (registrations.length !== all.length) return undefined;
  if (registrations.length === 0) return source;
  const retryable = retryableErrors(await errorsModule());
  return source.replace(REGISTRATION, (line, _schema: string, name: string) =>
    retryable.has(name) ? line : "",
  );
}

/** The error classes of an errors module that declare `$retryable`. */
export function retryableErrors(errorsModule: string): Set<string> {
  const names = new Set<string>();
  for (const body of errorsModule.split(/^export class /m).slice(1)) {
    const name = /^([\w$]+)/.exec(body)?.[1];
    if (name && /^\s+\$retryable\b/m.test(body)) names.add(name);
  }
  return names;
}
