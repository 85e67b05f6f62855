import type { CommandHandler, ServiceModel } from "./simulator.js";

/**
 * One Lambda service for the sandbox from two models: `functions` (the deployed functions, their environment,
 * ListFunctions) and `mounts` (`FileSystemConfigs`, which point a function's mount path at an EFS access point,
 * see `lambdaMountModel`). An update that carries `FileSystemConfigs`, and any later call about a function
 * whose mount was set, goes to the mount model (a function it has not seen is answered by both, merged, so a
 * deployed verifier keeps its environment in ListFunctions and gets its mount's update status); everything
 * else goes to the functions model.
 */
export function lambdaWithFileSystems(functions: ServiceModel, mounts: ServiceModel): ServiceModel {
  const mounted = new Set<string>();
  const nameOf = (input: Record<string, unknown>) =>
    String(input.FunctionName ?? "")
      .split(":function:")
      .pop()
      ?.split(":")[0] ?? "";
  const fromFunctions = async (command: string, ...args: Parameters<CommandHandler>) => {
    const handler = functions.commands[command];
    if (!handler) return {};
    try {
      return await handler(...args);
    } catch (error) {
      // A function only the mount model knows (the sandbox deploys no package for it): its answer suffices.
      if ((error as Error).name === "ResourceNotFoundException") return {};
      throw error;
    }
  };
  const mountAware =
    (command: string): CommandHandler =>
    async (input, call) => {
      const name = nameOf(input);
      const forMount =
        mounted.has(name) || (command === "UpdateFunctionConfiguration" && "FileSystemConfigs" in input);
      const mountHandler = mounts.commands[command];
      if (!forMount || !mountHandler) {
        const handler = functions.commands[command];
        if (!handler) throw new Error(`not simulated: Lambda.${command}`);
        return handler(input, call);
      }
      mounted.add(name);
      const { FileSystemConfigs: _mountChange, ...rest } = input;
      const base =
        command === "UpdateFunctionConfiguration" && Object.keys(rest).length <= 1
          ? await fromFunctions("GetFunctionConfiguration", { FunctionName: input.FunctionName }, call)
          : await fromFunctions(command, rest, call);
      return { ...base, ...(await mountHandler(input, call)) };
    };
  return {
    service: "Lambda",
    commands: {
      ...functions.commands,
      GetFunctionConfiguration: mountAware("GetFunctionConfiguration"),
      UpdateFunctionConfiguration: mountAware("UpdateFunctionConfiguration"),
    },
  };
}
