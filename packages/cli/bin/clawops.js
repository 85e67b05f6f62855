#!/usr/bin/env node
// In a checkout the CLI runs its TypeScript through tsx's loader (no build step); the package `npm pack`
// makes carries the self-contained build instead (dist/clawops.mjs, from scripts/build.ts) and no sources.
import { existsSync } from "node:fs";

if (existsSync(new URL("../src/bin.ts", import.meta.url))) {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/bin.ts");
} else {
  await import("../dist/clawops.mjs");
}
