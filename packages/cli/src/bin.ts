// With --sandbox (and for the game day) the production handlers run in this process: their Powertools JSON logs
// and EMF metric lines would mix with the command's output. The levels must be set before Powertools is built
// (it resets to its initial level on every warm invocation), so the program is imported after.
const inProcess = process.argv.includes("--sandbox") || process.argv.slice(2)[0] === "sandbox";
if (inProcess) {
  process.env.POWERTOOLS_LOG_LEVEL ??= "SILENT";
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
}
const { run } = await import("./program.js");

// Exit as soon as the command is done: everything it started (gateways, servers) is closed by then, and a
// handler still awaiting an AWS call the closed sandbox will never answer must not hold the process open.
process.exit(await run(process.argv));
