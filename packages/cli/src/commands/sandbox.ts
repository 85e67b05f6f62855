import { Command } from "commander";

/**
 * `clawops sandbox` (what `npm start` runs): the game day in the embedded sandbox. Exits 0 only when every
 * scene behaved as production should; every process it started ends with it, also on Ctrl-C.
 */
export function sandboxCommand(setExitCode: (code: number) => void): Command {
  return new Command("sandbox")
    .description("Run clawops against a local stand-in for AWS (no account, no Docker): the game day")
    .action(async () => {
      // Loaded on demand: the sandbox pulls in servers and simulators no other command needs.
      const { gameDayScenes, runGameDay } = await import("@clawops/sandbox");
      setExitCode(await runGameDay({ scenes: gameDayScenes }));
    });
}
