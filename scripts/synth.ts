/**
 * `npm run synth [-- --stage prod]`: writes every stack's CloudFormation template to
 * `.synth/<stack>.template.json` without AWS access, for review, diffs and other tools.
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

const { assembly } = await synthesizeApp({ stage });
await mkdir(values.out ?? ".synth", { recursive: true });
for (const stack of assembly.stacks) {
  const file = join(values.out ?? ".synth", `${stack.stackName}.template.json`);
  await writeFile(file, `${JSON.stringify(stack.template, null, 2)}\n`);
  const resources = Object.keys((stack.template as { Resources?: object }).Resources ?? {}).length;
  const errors = stack.messages.filter((m) => m.level === "error").length;
  console.log(`${file}  ${resources} resources${errors ? `, ${errors} cdk-nag errors` : ""}`);
}
