import { Command } from "commander";
import { importSandbox } from "../sandbox-module.js";

/**
 * `clawops sandbox` (what `npm start` runs): the game day in the embedded sandbox. Exits 0 only when every
 * scene behaved as production should; every process it started ends with it, also on Ctrl-C.
 */
export function sandboxCommand(setExitCode: (code: number) => void): Command {
  return new Command("sandbox")
    .description("Run clawops against a local stand-in for AWS (no account, no Docker): the game day")
    .addHelpText(
      "after",
      `
Examples:
  $ npm start                 (the same thing, from the repository root)
  $ npx clawops sandbox
  $ npx clawops sandbox --keep-open   (the Slack view stays up after the last scene, until Ctrl-C)

The game day boots a fleet through the launch gate, kills a gateway, runs a restore drill and readiness,
printing a timeline and a final table of scenes. Exit code 0 only when every scene passed.
To try a single command locally instead, add --sandbox to it (clawops status --sandbox).`,
    )
    .option(
      "--keep-open",
      "keep the sandbox and its Slack view up after the last scene, until Ctrl-C (exit 130)",
    )
    .action(async (options: { keepOpen?: boolean }) => {
      // Loaded on demand: the sandbox pulls in servers and simulators no other command needs.
      const { gameDayScenes, runGameDay } = await importSandbox();
      // Ctrl-C is the sandbox's own SIGINT handler: it closes everything and exits 130.
      const keepOpen = options.keepOpen ? () => new Promise<void>(() => {}) : undefined;
      setExitCode(await runGameDay({ scenes: gameDayScenes, ...(keepOpen ? { keepOpen } : {}) }));
    });
}
