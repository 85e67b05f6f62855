import {
  GetResourcePolicyCommand,
  ListSecretsCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { evaluateReadiness } from "@clawops/core/readiness";
import { afterEach, describe, expect, it, vi } from "vitest";
import { NOW, OTHER_SECRET, settings } from "../../../packages/core/tests/readiness/fixtures.js";
import { installFakeAws } from "./fake-aws.js";

process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
const { gatherEvidence } = await import("../gather.js");

const PARTNER = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shared/partner-api-StUvWx";
const send = SecretsManagerClient.prototype.send as (
  this: SecretsManagerClient,
  c: unknown,
) => Promise<unknown>;
afterEach(() => vi.restoreAllMocks());

/**
 * The fake account plus a secret shared with "*", and `payroll/db` hardened with "Deny secretsmanager:* unless
 * aws:PrincipalArn is the payroll role", which denies the readiness role GetResourcePolicy.
 */
function withHardenedSecret(): void {
  installFakeAws({ instances: 2 });
  const stubbed = SecretsManagerClient.prototype.send;
  vi.spyOn(SecretsManagerClient.prototype, "send").mockImplementation(async function (
    this: SecretsManagerClient,
    command: unknown,
  ) {
    if (command instanceof ListSecretsCommand) {
      const out = (await (stubbed as typeof send).call(this, command)) as { SecretList: unknown[] };
      return { SecretList: [...out.SecretList, { ARN: PARTNER, Name: "shared/partner-api" }] };
    }
    if (command instanceof GetResourcePolicyCommand && command.input.SecretId === OTHER_SECRET)
      throw Object.assign(
        new Error(
          "User is not authorized to perform: secretsmanager:GetResourcePolicy with an explicit deny in a resource-based policy",
        ),
        { name: "AccessDeniedException" },
      );
    if (command instanceof GetResourcePolicyCommand && command.input.SecretId === PARTNER)
      return {
        ResourcePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: "*", Action: "secretsmanager:GetSecretValue", Resource: "*" },
          ],
        }),
      };
    return (stubbed as typeof send).call(this, command);
  } as never);
}

describe("Function: gatherEvidence with a secret whose policy the readiness role cannot read", () => {
  it("still fails the secret shared with everyone, naming the unreadable policy too", async () => {
    withHardenedSecret();
    const evidence = await gatherEvidence(settings(), { table: "t", now: NOW, sleep: async () => {} });
    const report = evaluateReadiness(evidence, settings(), { runId: "r", now: NOW });
    const check = report.checks.find((c) => c.id === "credentials.secret-resource-policies");
    expect(check?.status).toBe("fail");
    expect(check?.details).toEqual([
      'shared/partner-api: grants GetSecretValue to everyone ("*")',
      expect.stringMatching(/^payroll\/db: resource policy not readable \(.*AccessDeniedException/),
    ]);
  });

  it("still simulates the roles, which needs no resource policy", async () => {
    withHardenedSecret();
    const evidence = await gatherEvidence(settings(), { table: "t", now: NOW, sleep: async () => {} });
    const report = evaluateReadiness(evidence, settings(), { runId: "r", now: NOW });
    const status = (id: string) => report.checks.find((c) => c.id === id)?.status;
    expect(status("credentials.instance-role-own-secret")).toBe("pass");
    expect(status("credentials.alerts-secret-isolated")).toBe("pass");
  });
});
