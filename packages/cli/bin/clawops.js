#!/usr/bin/env node
// The published entry: runs the TypeScript CLI through tsx's loader (no build step in the repository).
import { register } from "tsx/esm/api";

register();
await import("../src/bin.ts");
