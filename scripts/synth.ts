/**
 * `npm run synth [-- --stage prod]`: writes every stack's CloudFormation template to
 * `.synth/<stage>-<app>-<Stack>.template.json` without AWS access, for review, diffs and other tools. An invalid
 * config prints one line per problem and exits 1, without a stack trace.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { synthesizeApp } from "../stacks/build.js";

// SST only skips its STS and bootstrap lookups under NODE_ENV=test; synthesis needs neither.
process.env.NODE_ENV = "test";
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = "1";
const { values } = parseArgs({
  options: { stage: { type: "string", default: "dev" }, out: { type: "string", default: ".synth" } },
});
const stage = values.stage ?? "dev";
process.env.SST_STAGE = stage;

const { assembly } = await synthesizeApp({ stage }).catch((error: unknown) => {
  // The config's own message names each field, value and expectation; the stack trace adds nothing. SST
  // bundles sst.config.ts with its own copy of the error class, so it is recognised by name.
  const config = [error, (error as Error)?.cause].find((e) => (e as Error)?.name === "ConfigError");
  if (!config) throw error;
  console.error((config as Error).message);
  process.exit(1);
});
await mkdir(values.out ?? ".synth", { recursive: true });
for (const stack of assembly.stacks) {
  const file = join(values.out ?? ".synth", `${stack.stackName}.template.json`);
  await writeFile(file, `${JSON.stringify(stack.template, null, 2)}\n`);
  const resources = Object.keys((stack.template as { Resources?: object }).Resources ?? {}).length;
  const errors = stack.messages.filter((m) => m.level === "error").length;
  console.log(`${file}  ${resources} resources${errors ? `, ${errors} cdk-nag errors` : ""}`);
}
