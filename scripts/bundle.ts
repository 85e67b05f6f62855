/** `npm run bundle`: bundles every Lambda entry into `.bundle/` exactly as deploys do and prints each size. */
import { bundleEntries } from "./bundling.js";

const results = await bundleEntries(process.cwd(), ".bundle");
if (results.length === 0) console.log("no function entries found under functions/");
for (const r of results)
  console.log(`${r.entry.padEnd(32)} ${(r.bytes / 1024).toFixed(1).padStart(8)} KB  ${r.outfile}`);
