/**
 * Builds the CLI into `dist/` (the entry `clawops.mjs` and its chunks), self-contained, for the package `npm pack` makes:
 * commander, the tables, the AWS SDK clients and clawops' own code are all inside, so the tarball installs
 * on its own (`npm install -g ./clawops-cli-0.1.0.tgz`) with no registry access. Only the sandbox stays
 * outside: `--sandbox` and the game day need a clawops checkout (gateway processes, a Slack server, dynalite).
 */
import { rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));

/** The one module the standalone CLI does not carry: the sandbox, which only runs from a checkout. */
export const SANDBOX_PACKAGE = "@clawops/sandbox";

/**
 * Bundles `src/bin.ts` into `<outdir>/clawops.mjs`, replacing what an earlier build left there (its chunks'
 * names carry their hash, so they would pile up in the package); returns the output's size in bytes.
 */
export async function buildCli(outdir = `${root}dist`): Promise<number> {
  await rm(outdir, { recursive: true, force: true });
  const result = await build({
    entryPoints: { clawops: `${root}src/bin.ts` },
    outdir,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    // The sandbox-only code and rarely used commands load as chunks: `--help` reads the entry alone.
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    platform: "node",
    format: "esm",
    target: "node20",
    mainFields: ["module", "main"],
    minify: true,
    legalComments: "none",
    metafile: true,
    external: [SANDBOX_PACKAGE, `${SANDBOX_PACKAGE}/*`],
    // Some dependencies are CommonJS and call require(): give the ESM bundle one.
    banner: {
      js: "import { createRequire as __cliRequire } from 'node:module'; const require = __cliRequire(import.meta.url);",
    },
    logLevel: "warning",
  });
  return Object.values(result.metafile?.outputs ?? {}).reduce((sum, o) => sum + o.bytes, 0);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const bytes = await buildCli(process.argv[2]);
  console.log(`dist/clawops.mjs: ${(bytes / 1024).toFixed(0)} KB`);
}
