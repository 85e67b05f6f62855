import { READINESS_CHECKS, runCheck } from "@clawops/core/readiness";
import { describe, expect, it } from "vitest";
import { goodEvidence, NOW, settings } from "./fixtures.js";

const PARAMETER = "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64";

// biome-ignore lint/suspicious/noExplicitAny: tests edit deep clones of the fixtures freely.
type Template = Record<string, any>;

/** credentials.imdsv2-required on the fixture fleet whose launch template is edited by `edit`. */
function imdsv2(edit: (template: Template) => void) {
  const check = READINESS_CHECKS.find((c) => c.id === "credentials.imdsv2-required");
  if (!check) throw new Error("no check credentials.imdsv2-required");
  const evidence = structuredClone(goodEvidence());
  edit(evidence.launchTemplate as Template);
  const result = runCheck(check, evidence, structuredClone(settings()), NOW);
  return { ...result, text: [result.explanation, ...(result.details ?? [])].join("\n") };
}

describe("Function: credentials.imdsv2-required on a launch template whose image is a resolve:ssm: parameter", () => {
  // The template leaves HttpTokens unset and the account has no default: the AMI the parameter holds decides.
  const unsetWithParameter = (t: Template) => {
    delete t.httpTokens;
    t.imageId = PARAMETER;
    t.accountHttpTokens = null;
  };

  it.each([
    [
      "pass",
      "the parameter's AMI has ImdsSupport v2.0",
      "ami-0a2023",
      "v2.0",
      "AMI ami-0a2023 (resolve:ssm:",
    ],
    [
      "fail",
      "the parameter's AMI has no ImdsSupport",
      "ami-0a2023",
      null,
      "HttpTokens optional, decided by nothing: the account has no instance metadata default and AMI ami-0a2023",
    ],
    [
      "unknown",
      "the parameter cannot be read",
      { unavailable: "ssm:GetParameter /aws/service/x: AccessDeniedException: not authorized" },
      undefined,
      `the template's image ${PARAMETER} could not be resolved (ssm:GetParameter /aws/service/x: AccessDeniedException`,
    ],
  ] as const)("is %s when %s", (expected, _what, resolved, image, detail) => {
    const result = imdsv2((t) => {
      unsetWithParameter(t);
      t.resolvedImageId = structuredClone(resolved);
      if (image !== undefined) t.imageImdsSupport = image;
    });

    expect(result.status, result.text).toBe(expected);
    expect(result.text).toContain(detail);
  });
});

describe("Function: credentials.imdsv2-required when the account enforces IMDSv2 at launch (HttpTokensEnforced)", () => {
  it("fails a template that sets HttpTokens optional, saying EC2 refuses its launches rather than allowing IMDSv1", () => {
    const result = imdsv2((t) => {
      t.httpTokens = "optional";
      t.accountHttpTokensEnforced = true;
    });

    expect(result.status, result.text).toBe("fail");
    expect(result.explanation).not.toBe("IMDSv1 is allowed.");
    expect(result.text).toContain("EC2 refuses every launch from it");
  });

  it("says IMDSv1 is allowed for the same template when the account does not enforce IMDSv2", () => {
    const result = imdsv2((t) => {
      t.httpTokens = "optional";
      t.accountHttpTokensEnforced = false;
    });

    expect(result.status, result.text).toBe("fail");
    expect(result.explanation).toBe("IMDSv1 is allowed.");
  });

  it("notes the enforcement when the template's launches require IMDSv2", () => {
    const result = imdsv2((t) => {
      delete t.httpTokens;
      t.accountHttpTokens = "required";
      t.accountHttpTokensEnforced = true;
    });

    expect(result.status, result.text).toBe("pass");
    expect(result.text).toContain("HttpTokensEnforced");
  });

  it("stays unknown when the AMI cannot be read, but says no instance can launch with IMDSv1", () => {
    const result = imdsv2((t) => {
      delete t.httpTokens;
      t.imageId = "ami-0abc";
      t.accountHttpTokens = null;
      t.accountHttpTokensEnforced = true;
      t.imageImdsSupport = { unavailable: "ec2:DescribeImages: UnauthorizedOperation: denied" };
    });

    expect(result.status, result.text).toBe("unknown");
    expect(result.text).toContain("none of its instances can launch with IMDSv1");
  });
});
