import type { FailureDrillSettings } from "./settings.js";

/**
 * What a drill on `instanceId` will do, step by step: the output of `--dry-run` and of the preflight, so an
 * operator sees the victim, the commands and the windows before anything changes.
 */
export function drillPlan(settings: FailureDrillSettings, instanceId: string): string[] {
  const w = settings.windows;
  return [
    `announce FailureDrillStarted (the alerts path posts it to the channel)`,
    `stop the gateway on ${instanceId}: systemctl stop '${settings.gatewayServiceName}' through SSM (AWS-RunShellScript); a stop whose invocation failed ends the drill`,
    `observe every ${settings.observeIntervalSeconds} s: alarm ${settings.alarmName} in ALARM within ${w.alarmSeconds} s; alert delivered within ${w.alertSeconds} s of the alarm; a replacement InService (launch gate passed) within ${w.replacementSeconds} s; the alarm OK again`,
    `abort when a step takes twice its window: systemctl start '${settings.gatewayServiceName}' on ${instanceId} if it still exists, and report whether it came back`,
    `record the result (pk drill#failure, the readiness evidence), publish metrics and FailureDrillCompleted`,
  ];
}
