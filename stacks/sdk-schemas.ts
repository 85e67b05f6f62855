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
 * removes. Measured with `npm run bundle`: lifecycle/monitor 351.9 → 285.8 KB, drills/plan 358.5 → 260.6 KB;
 * import times in docs/benchmarks.md.
 *
 * 1. **Traits keyed by a constant** (`{ [_xN]: _AIc }`, where `const _xN = "xmlName"`). esbuild cannot prove a
 *    computed key free of side effects (it could be an object with a `toString`), so it keeps every structure
 *    that has one, and all those it refers to: SSM's `GetParameter` alone kept 26 KB of SSM's schemas. The
 *    plugin writes the key as the string it is (`{ "xmlName": _AIc }`): the same object, which esbuild can drop.
 * 2. **Error registrations.** The module registers every error of the service when it is imported (SSM: 141
 *    classes and their schemas, 43 KB). Every AWS protocol's `handleError` throws an error it has no class for as
 *    the service's base exception (`SSMServiceException`) with the code the service sent as `name`, and the
 *    `message`, `$fault`, `$metadata` and the body's fields as they came. The plugin keeps the registrations
 *    where that would differ in what code reads:
 *    - errors that declare `$retryable`, which the SDK's retry strategy reads (DynamoDB's
 *      `ReplicatedWriteConflictException`, STS's `IDPCommunicationErrorException`); throttling and transient
 *      errors are retried by name and status, registered or not;
 *    - errors whose `awsQueryError` trait gives a code other than their name, in clients whose protocol looks
 *      errors up by that code (the query protocol: Auto Scaling, IAM, SNS; query-compatible JSON: SQS,
 *      CloudWatch): the code is what the service sends (`ResourceContention` for `ResourceContentionFault`),
 *      and, unregistered, they would be named by it. Other JSON services send the error's name and never look
 *      the code up, though their models carry it (SSM's 30 such errors, DynamoDB's `ThrottlingException`);
 *    - each service's base exception, which the SDK needs for all the others.
 *    What an unregistered error loses: its class (so clawops tells SDK errors apart by `name`, never by
 *    `instanceof`: a test holds every source file to that, stacks/tests/sdk-schemas.test.ts), the decoding of its
 *    fields (a DynamoDB `Item` stays raw), and fields bound to HTTP headers (Lambda's `retryAfterSeconds`;
 *    the retry strategy reads the response's header itself). clawops reads none of those.
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
        const client = join(dirname(args.path), "..");
        const pruned =
          (await pruneRegistrations(
            keyed,
            () => readFile(join(client, "models", "errors.js"), "utf8"),
            readsQueryCodes(
              await readFile(join(client, "runtimeConfig.shared.js"), "utf8").catch(() => undefined),
            ),
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
  const strings = stringConstants(source);
  return source.replace(COMPUTED_KEY, (key, name: string) => {
    const literal = strings.get(name);
    return literal === undefined || literal === '"__proto__"' || literal.includes("\\") ? key : `${literal}:`;
  });
}

/** A schemas module's string constants: name → the literal as written (`_xN` → `"xmlName"`). */
function stringConstants(source: string): Map<string, string> {
  const strings = new Map<string, string>();
  for (const [, name, literal] of source.matchAll(STRING_CONSTANT))
    if (name && literal) strings.set(name, literal);
  return strings;
}

/**
 * Whether a client's protocol looks errors up by their `awsQueryError` code, from its `runtimeConfig.shared.js`:
 * the query protocols (`AwsQueryProtocol`, EC2's subclass of it) always, a JSON or CBOR protocol only where the
 * service is `awsQueryCompatible` (`ProtocolLib.findQueryCompatibleError` in @aws-sdk/core). A config that
 * mentions `awsQueryCompatible` at all, that it cannot read, or that names no protocol it knows counts as one
 * that does (the registrations are then kept).
 */
export function readsQueryCodes(runtimeConfigShared: string | undefined): boolean {
  if (runtimeConfigShared === undefined) return true;
  if (/\bAws(?:Ec2)?QueryProtocol\b|\bawsQueryCompatible\b/.test(runtimeConfigShared)) return true;
  return !/\bAws(?:Json1_[01]|RestJson|RestXml|SmithyRpcV2Cbor|SmithyRpcV2Json)Protocol\b/.test(
    runtimeConfigShared,
  );
}

/**
 * A schemas module with only the registrations of retryable errors left, of query-coded ones where `queryCodes`
 * (the client's protocol reads those codes: `readsQueryCodes`), and each service's base exception (registered
 * in another namespace); the module as it is when it registers no modeled error (EC2 models none); `undefined`
 * when any registration has another shape.
 */
export async function pruneRegistrations(
  source: string,
  errorsModule: () => Promise<string>,
  queryCodes = true,
): Promise<string | undefined> {
  const registrations = source.match(REGISTRATION) ?? [];
  // Every registration but the base exception's: a line of another shape makes the two counts differ.
  const all = source
    .split("\n")
    .filter((line) => line.includes("registerError(") && !line.startsWith("_s_registry."));
  if (registrations.length !== all.length) return undefined;
  if (registrations.length === 0) return source;
  const retryable = retryableErrors(await errorsModule());
  const queryErrors = queryCodes ? queryCodedErrors(source) : new Set<string>();
  return source.replace(REGISTRATION, (line, schema: string, name: string) =>
    retryable.has(name) || queryErrors.has(schema) ? line : "",
  );
}

/**
 * The error schemas of a schemas module whose `awsQueryError` trait gives a code other than the error's name
 * (`ResourceContentionFault$`: `{ [_aQE]: [\`ResourceContention\`, 500] }`), by the name of their schema (without
 * its `$`), and those whose definition or code it cannot read. Such an error reaches the client under its query
 * code (`ResourceContention`, `AWS.SimpleQueueService.NonExistentQueue`), and only its registration maps that code
 * to the error's name (`ResourceContentionFault`, `QueueDoesNotExist`).
 */
export function queryCodedErrors(source: string): Set<string> {
  const keys = ['"awsQueryError"'];
  for (const [name, literal] of stringConstants(source))
    if (literal === '"awsQueryError"') keys.push(`[${name}]`);
  const names = new Set<string>();
  for (const [, schema, name] of source.matchAll(REGISTRATION)) {
    if (!schema) continue;
    const start = source.indexOf(`var ${schema}$ = [`);
    const end = source.indexOf("\n];", start);
    if (start < 0 || end < 0) {
      names.add(schema);
      continue;
    }
    const definition = source.slice(start, end);
    for (const key of keys) {
      const at = definition.indexOf(`${key}:`);
      if (at < 0) continue;
      const code = /^:\s*\[\s*[`"']([^`"'\\]+)[`"']/.exec(definition.slice(at + key.length))?.[1];
      if (code !== name) names.add(schema);
    }
  }
  return names;
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
