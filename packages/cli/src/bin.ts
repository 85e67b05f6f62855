// In --sandbox mode the production handlers run in this process: their Powertools JSON logs would mix with the
// command's output. The level must be set before the logger is built (it resets to its initial level on every
// warm invocation), so the program is imported after.
if (process.argv.includes("--sandbox") && !process.env.POWERTOOLS_LOG_LEVEL)
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
const { run } = await import("./program.js");

process.exitCode = await run(process.argv);
