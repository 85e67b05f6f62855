/** `npm run bundle`: bundles every Lambda entry into `.bundle/` exactly as deploys do and prints each size. */
import { bundleEntries } from "./bundling.js";

const results = await bundleEntries(process.cwd(), ".bundle");
if (results.length === 0) console.log("no function entries found under functions/");
for (const r of results) {
  const cold = `${(r.bytes / 1024).toFixed(1)} KB at cold start`.padStart(22);
  const total = `${(r.totalBytes / 1024).toFixed(1)} KB shipped`.padStart(18);
  console.log(`${r.entry.padEnd(28)} ${cold} ${total}  ${r.outfile}`);
}
