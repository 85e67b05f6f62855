/** First line of the drill's stop script: the sandbox's SSM model runs scripts by their marker. */
export const GATEWAY_STOP_MARKER = "# clawops-failure-drill: gateway-stop v1";
/** First line of the restore script (abort or error: the gateway comes back). */
export const GATEWAY_START_MARKER = "# clawops-failure-drill: gateway-start v1";

/** Bound on each systemctl call, so a hung unit cannot hold the command for SSM's default hour. */
export const SYSTEMCTL_TIMEOUT_SECONDS = 60;

/** Stops the gateway unit: the drill's simulated failure (the instance itself keeps running). */
export function gatewayStopCommands(serviceName: string): string[] {
  return [
    GATEWAY_STOP_MARKER,
    `timeout ${SYSTEMCTL_TIMEOUT_SECONDS} systemctl stop '${serviceName}'`,
    `echo "CLAWOPS_DRILL=stopped"`,
  ];
}

/** Starts the gateway unit again (abort path and the Catch-all). */
export function gatewayStartCommands(serviceName: string): string[] {
  return [
    GATEWAY_START_MARKER,
    `timeout ${SYSTEMCTL_TIMEOUT_SECONDS} systemctl start '${serviceName}'`,
    `echo "CLAWOPS_DRILL=started"`,
  ];
}
