/** A gateway process could not be started, controlled or found. */
export class GatewayProcessError extends Error {
  constructor(
    message: string,
    readonly instanceId: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "GatewayProcessError";
  }
}

/** The gateway process did not report that it listens within the start timeout, or exited first. */
export class GatewayStartError extends GatewayProcessError {
  constructor(message: string, instanceId: string, options?: ErrorOptions) {
    super(message, instanceId, options);
    this.name = "GatewayStartError";
  }
}
