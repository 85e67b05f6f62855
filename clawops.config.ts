import { defineConfig } from "@clawops/core/config";

/**
 * The operator's settings. `defaults` apply to every stage; `stages.<name>` overrides them for one stage
 * (objects merge, arrays replace). Validated when `sst.config.ts` loads: a wrong value stops the deploy with a
 * message naming the field. The README's "Configuration" section documents every setting (the fleet's in docs/fleet.md).
 */
export default defineConfig({
  app: { name: "clawops", region: "us-east-1" },
  defaults: {
    fleet: { mode: "reference", name: "openclaw", instanceType: "t4g.small", desiredCapacity: 2 },
    gateway: { port: 18789, path: "/health" },
    slack: {
      defaultChannel: "ops-alerts",
      routes: [
        { severity: "critical", channel: "ops-critical", mention: "<!here>" },
        { severity: "high", channel: "ops-alerts" },
      ],
    },
    logRetentionDays: 365,
    egressAllowlist: [
      // The model provider's published API range (api.anthropic.com); add your integrations' APIs.
      { name: "anthropic-api", cidr: "160.79.104.0/23" },
    ],
    approvalGates: [
      { id: "bulk-email", description: "Any outbound email to more than 10 recipients" },
      { id: "crm-delete", description: "Any deletion of CRM records" },
      { id: "purchase", description: "Any external purchase or payment" },
    ],
  },
  stages: {
    prod: { fleet: { mode: "reference", desiredCapacity: 3, minSize: 2, maxSize: 6 }, logRetentionDays: 731 },
  },
});
