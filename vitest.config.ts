import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "packages/*/tests/**/*.test.ts",
      "stacks/tests/**/*.test.ts",
      "functions/**/tests/**/*.test.ts",
      "tests/**/*.test.ts",
    ],
    setupFiles: ["./vitest.setup.ts"],
    globalSetup: ["./stacks/tests/global-setup.ts"],
    // SST's initProject prompts for a stage without it; NODE_ENV=test (set by vitest) skips STS lookups.
    env: {
      SST_STAGE: "test",
      AWS_REGION: "us-east-1",
      POWERTOOLS_DEV: "false",
      POWERTOOLS_TRACE_ENABLED: "false",
    },
    testTimeout: 60_000,
    // A stack test that synthesizes its own variant of the app needs minutes on a busy 2-core machine.
    hookTimeout: 600_000,
    pool: "forks",
  },
});
