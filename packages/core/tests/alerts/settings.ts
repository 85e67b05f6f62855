import type { AlertRouterSettings } from "../../src/alerts/index.js";

/** Router settings as the stack would build them, for tests to vary. */
export function testSettings(overrides: Partial<AlertRouterSettings["slack"]> = {}): AlertRouterSettings {
  return {
    stage: "test",
    slackSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:clawops-test-slack-AbCdEf",
    fleetLogGroupName: "/openclaw/test/openclaw/gateway",
    slack: {
      defaultChannel: "ops-alerts",
      routes: [
        { severity: "critical", channel: "ops-critical", mention: "<!subteam^S0123ABC>" },
        { severity: "high", channel: "ops-alerts" },
        { severity: "info", channel: "ops-info" },
      ],
      insufficientData: "post-as-info",
      apiUrl: "http://127.0.0.1:1/api/",
      channels: { "ops-alerts": "C0ALERTS", "ops-critical": "C0CRITICAL", "ops-info": "C0INFO" },
      metricGraphs: true,
      ...overrides,
    },
    alerts: {
      stormWindowSeconds: 60,
      stormThreshold: 5,
      alarmSeverities: { "clawops-test-fleet-degraded": "critical", "clawops-test-drill-*": "warning" },
      defaultSeverity: "high",
      stateTtlDays: 14,
    },
  };
}
