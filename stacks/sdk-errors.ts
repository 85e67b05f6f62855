import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { SstBuildOptions } from "./lazy-bundles.js";

type Plugin = NonNullable<SstBuildOptions["plugins"]>[number];

/** A client's schemas module: `@aws-sdk/client-*` or one of `@aws-sdk/nested-clients`' (STS, SSO, ...). */
const SCHEMAS =
  /[\\/]@aws-sdk[\\/](?:client-[^\\/]+|nested-clients[\\/]dist-es[\\/]submodules[\\/][^\\/]+)[\\/](?:dist-es[\\/])?schemas[\\/]schemas_\d+\.js$/;

/** `n0_registry.registerError(ThrottlingException$, ThrottlingException);`: one modeled error of the service. */
const REGISTRATION = /^n\d+_registry\.registerError\(([\w$]+)\$, ([\w$]+)\);$/gm;

/**
 * An esbuild plugin (passed to SST as `nodejs.esbuild.plugins`) that registers, of each AWS SDK client's modeled
 * errors, only those whose class decides behaviour; the others are thrown as the service's base exception.
 *
 * Why: a client's schemas module registers every error of the service when it is imported (SSM: 141 classes and
 * their schemas, 56 KB of a function's bundle), so no bundler can drop the classes a function never meets.
 * Measured with `npm run bundle`: lifecycle/monitor 351.9 → 295.9 KB, and 18-22 ms less import CPU of 60-83
 * (`RUNS=9 npx tsx bench/bundles.ts lifecycle/`).
 *
 * What a function sees of an error no longer registered (every AWS protocol's `handleError` takes this path for
 * an error it has no class for): the service's base exception (`SSMServiceException`) with the error's `name`,
 * `message`, `$fault`, `$metadata` and the response's fields. So:
 * - clawops tells SDK errors apart by `name` (`error.name === "ConditionalCheckFailedException"`), never by
 *   `instanceof` of an error class: a test holds every source file to that (stacks/tests/sdk-errors.test.ts);
 * - an error that declares `$retryable` stays registered: the SDK's retry strategy reads that field (DynamoDB's
 *   `ReplicatedWriteConflictException`, STS's `IDPCommunicationErrorException`). Throttling and transient errors are
 *   retried by name and status, registered or not;
 * - the base exception of each service stays registered, as the SDK needs it for the fallback.
 *
 * A schemas module whose registrations are not all of the one shape above is left as it is (an SDK release that
 * changes its generated code then costs bytes, never behaviour); the test of this plugin fails on that for the
 * pinned clients.
 */
export function sdkErrorsByName(): Plugin {
  return {
    name: "clawops-sdk-errors-by-name",
    setup(build) {
      build.onLoad({ filter: SCHEMAS }, async (args) => {
        const source = await readFile(args.path, "utf8");
        const pruned = await pruneRegistrations(source, () =>
          readFile(join(dirname(args.path), "..", "models", "errors.js"), "utf8"),
        );
        return pruned === undefined || pruned === source ? undefined : { contents: pruned, loader: "js" };
      });
    },
  };
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
