import type { AwsCall, ClientInterceptor } from "@clawops/core/aws";
import { ServiceException } from "@smithy/smithy-client";
import type { Clock } from "../clock.js";

/** Answers one command of one service from the model's state. */
export type CommandHandler = (
  input: Record<string, unknown>,
  call: AwsCall,
) => Promise<Record<string, unknown>> | Record<string, unknown>;

/** An in-memory model of one AWS service: the commands it answers. */
export interface ServiceModel {
  /** As the SDK client names it without `Client`: `AutoScaling`, `SSM`, `CloudWatch`, `EC2`, ... */
  readonly service: string;
  readonly commands: Readonly<Record<string, CommandHandler>>;
  /** A real server on loopback that answers this service over HTTP (its commands are then not used). */
  readonly endpoint?: string;
}

/** A recorded call, with when it happened on the sandbox clock and how it ended. */
export interface RecordedCall extends AwsCall {
  readonly at: number;
  readonly outcome: "ok" | string;
}

/** Faults injected per operation (`"SSM.SendCommand"`) or per service (`"SSM"`). */
export interface Fault {
  /** Throw `ThrottlingException` for the next `n` calls. */
  throttle?: number;
  /** Real milliseconds each call takes (benchmarks: simulated API latency). */
  latencyMs?: number;
  /** Throw this AWS error for the next `times` calls (default 1). */
  error?: { name: string; message: string; times?: number; fault?: "client" | "server" };
}

/** Builds an error exactly as the SDK surfaces an AWS error response: named, with `$fault` and `$metadata`. */
export function awsError(
  name: string,
  message: string,
  options: { fault?: "client" | "server"; status?: number } = {},
): ServiceException {
  const fault = options.fault ?? "client";
  return new ServiceException({
    name,
    message,
    $fault: fault,
    $metadata: { httpStatusCode: options.status ?? (fault === "server" ? 500 : 400), requestId: "sandbox" },
  });
}

/**
 * The command-level AWS simulation: the factory's interceptor. Each command is answered by the registered
 * model of its service; a command no model knows fails loudly (`not simulated: EC2.DescribeImages`).
 * Every call is recorded, so tests and benchmarks can count them.
 */
export class AwsSimulator implements ClientInterceptor {
  readonly region: string;
  private readonly models = new Map<string, ServiceModel>();
  private readonly faults = new Map<string, Fault>();
  private readonly recorded: RecordedCall[] = [];

  constructor(
    private readonly clock: Clock,
    options: { region?: string } = {},
  ) {
    this.region = options.region ?? "us-east-1";
  }

  /** Adds (or replaces) a service model. */
  register(model: ServiceModel): this {
    this.models.set(model.service, model);
    return this;
  }

  /** Injects a fault for `"Service.Command"` or a whole `"Service"`; `undefined` clears it. */
  inject(target: string, fault: Fault | undefined): void {
    if (fault) this.faults.set(target, { ...fault });
    else this.faults.delete(target);
  }

  /** Recorded calls, optionally filtered by service and command. */
  calls(service?: string, command?: string): RecordedCall[] {
    return this.recorded.filter(
      (c) => (!service || c.service === service) && (!command || c.command === command),
    );
  }

  resetCalls(): void {
    this.recorded.length = 0;
  }

  endpointFor(call: AwsCall): string | undefined {
    return this.models.get(call.service)?.endpoint;
  }

  /** A call to a real server: the same faults first and the same record after as a simulated one. */
  async forwarded<T>(call: AwsCall, send: () => Promise<T>): Promise<T> {
    const at = this.clock.now();
    try {
      await this.applyFaults(call);
      const output = await send();
      this.recorded.push({ ...call, at, outcome: "ok" });
      return output;
    } catch (error) {
      this.recorded.push({ ...call, at, outcome: (error as Error).name || "Error" });
      throw error;
    }
  }

  async handle(call: AwsCall): Promise<Record<string, unknown>> {
    const at = this.clock.now();
    try {
      await this.applyFaults(call);
      const handler = this.models.get(call.service)?.commands[call.command];
      if (!handler) throw new Error(`not simulated: ${call.service}.${call.command}`);
      const output = await handler(call.input, call);
      this.recorded.push({ ...call, at, outcome: "ok" });
      return output;
    } catch (error) {
      this.recorded.push({ ...call, at, outcome: (error as Error).name || "Error" });
      throw error;
    }
  }

  private async applyFaults(call: AwsCall): Promise<void> {
    for (const key of [`${call.service}.${call.command}`, call.service]) {
      const fault = this.faults.get(key);
      if (!fault) continue;
      if (fault.latencyMs) await new Promise((resolve) => setTimeout(resolve, fault.latencyMs));
      if (fault.throttle && fault.throttle > 0) {
        fault.throttle -= 1;
        throw awsError("ThrottlingException", "Rate exceeded");
      }
      const injected = fault.error;
      if (injected) {
        const times = injected.times ?? 1;
        if (times <= 1) delete fault.error;
        else fault.error = { ...injected, times: times - 1 };
        throw awsError(injected.name, injected.message, { fault: injected.fault });
      }
    }
  }
}
