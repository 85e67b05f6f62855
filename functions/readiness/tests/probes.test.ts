import { ListCommandInvocationsCommand, SendCommandCommand, SSMClient } from "@aws-sdk/client-ssm";
import { evaluateReadiness, PLUGIN_OUTPUT_LIMIT } from "@clawops/core/readiness";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { goodEvidence, NOW, settings } from "../../../packages/core/tests/readiness/fixtures.js";
import {
  removeWorkspaces,
  runProbe,
  writeWorkspace,
} from "../../../packages/core/tests/readiness/workspace.js";
import { probeInstances } from "../probes.js";

const ssm = mockClient(SSMClient);
const INSTANCE = "i-0aaaaaaaaaaaaaaaa";
/** ListCommandInvocations' CommandPlugin.Output: "Length Constraints: Maximum length of 2500". */
afterEach(() => ssm.reset());
afterAll(removeWorkspaces);

/** The checks that read the on-instance probe (approval-gates.enforced too, but the test host has no OpenClaw). */
const ON_INSTANCE = [
  "soul-documents.workspace-read-only",
  "soul-documents.runtime-separate",
  "soul-documents.hashes-match",
  "credentials.imdsv1-blocked",
  "credentials.no-plaintext-on-disk",
  "network.unapproved-egress-times-out",
  "skill-evals.deployed-skills-covered",
];

/** probeInstances against one instance whose probe printed `stdout`, as ListCommandInvocations returns it. */
async function probeWith(stdout: string) {
  ssm.on(SendCommandCommand).resolves({ Command: { CommandId: "c".repeat(36) } });
  ssm.on(ListCommandInvocationsCommand).resolves({
    CommandInvocations: [
      {
        InstanceId: INSTANCE,
        Status: "Success",
        CommandPlugins: [{ Output: stdout.slice(0, PLUGIN_OUTPUT_LIMIT) }],
      },
    ],
  });
  return probeInstances([INSTANCE], settings(), async () => {});
}

describe("Function: probeInstances", () => {
  it("reads the probe of a 21-file workspace in full from ListCommandInvocations' 2,500 characters", async () => {
    // Prepare: 5 soul documents and 8 skills with a reference file each, deployed as the manifest says.
    const probed = writeWorkspace(8, 1);
    const outcomes = await probeWith(runProbe(probed));
    expect(outcomes[INSTANCE]?.ok).toBe(true);
    // Act: the on-instance checks judge it (the test host's workspace is writable, IMDS absent: they may fail).
    const report = evaluateReadiness(
      { ...goodEvidence(), probes: outcomes, manifest: probed.manifest },
      settings(),
      { runId: "r", now: NOW },
    );
    // Assess: none of them is left `unknown`, and the soul documents match.
    const statuses = report.checks.filter((c) => ON_INSTANCE.includes(c.id)).map((c) => [c.id, c.status]);
    expect(statuses.filter(([, status]) => status === "unknown")).toEqual([]);
    expect(report.checks.find((c) => c.id === "soul-documents.hashes-match")?.status).toBe("pass");
  });

  it("makes an output cut at SSM's limit unknown, saying it was cut", async () => {
    const outcomes = await probeWith(`CLAWOPS_PROBE=readiness\n${"CLAWOPS_SKILL=x\n".repeat(200)}`);
    expect(outcomes[INSTANCE]).toEqual({ ok: false, reason: expect.stringContaining("cut at SSM's 2,500") });
    const report = evaluateReadiness({ ...goodEvidence(), probes: outcomes }, settings(), {
      runId: "r",
      now: NOW,
    });
    const hashes = report.checks.find((c) => c.id === "soul-documents.hashes-match");
    expect(hashes?.status).toBe("unknown");
    expect(hashes?.details?.join(" ")).toContain("cut at SSM's 2,500 characters");
  });
});
