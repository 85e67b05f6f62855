import { describe, expect, it } from "vitest";
import {
  allVerifiers,
  drillSummaryRows,
  executionRequest,
  failedDrillVerdict,
  findRestoreRoot,
  formatDuration,
  isStageCreationToken,
  judgeDrill,
  keepsFileSystems,
  parseDrillSettings,
  percentDone,
  pickRecoveryPoint,
  prepareWaitSeconds,
  RestoreRootError,
  restoreCreationToken,
  restoreJobInput,
  restorePollDelaySeconds,
  restoreTargets,
  rpoSeconds,
  rtoSeconds,
  sweepTargets,
  verifierFor,
} from "../../src/drills/index.js";

const arn = (n: number) => `arn:aws:backup:us-east-1:123456789012:recovery-point:rp-${n}`;
const VAULT = "clawops-prod-openclaw";

describe("Function: pickRecoveryPoint", () => {
  it.each([
    ["no points", [], undefined],
    [
      "only an in-progress point",
      [{ RecoveryPointArn: arn(1), Status: "CREATING", CreationDate: "2026-03-02T05:00:00Z" }],
      undefined,
    ],
    [
      "the newest COMPLETED point whatever the list order",
      [
        { RecoveryPointArn: arn(1), Status: "COMPLETED", CreationDate: "2026-03-01T05:00:00Z" },
        { RecoveryPointArn: arn(3), Status: "COMPLETED", CreationDate: new Date("2026-03-03T05:00:00Z") },
        { RecoveryPointArn: arn(2), Status: "COMPLETED", CreationDate: "2026-03-02T05:00:00Z" },
      ],
      arn(3),
    ],
    [
      "a COMPLETED point over a newer PARTIAL, EXPIRED or DELETING one",
      [
        { RecoveryPointArn: arn(1), Status: "COMPLETED", CreationDate: "2026-03-01T05:00:00Z" },
        { RecoveryPointArn: arn(2), Status: "PARTIAL", CreationDate: "2026-03-02T05:00:00Z" },
        { RecoveryPointArn: arn(3), Status: "EXPIRED", CreationDate: "2026-03-03T05:00:00Z" },
        { RecoveryPointArn: arn(4), Status: "DELETING", CreationDate: "2026-03-04T05:00:00Z" },
      ],
      arn(1),
    ],
    ["a point without a date is skipped", [{ RecoveryPointArn: arn(1), Status: "COMPLETED" }], undefined],
  ])("picks %s", (_case, points, expected) => {
    const inVault = points.map((point) => ({ BackupVaultName: VAULT, ...point }));
    expect(pickRecoveryPoint(inVault, { vaultName: VAULT })?.recoveryPointArn).toBe(expected);
  });

  it.each([
    ["a newer COMPLETED copy in another vault", "clawops-prod-openclaw-copy", arn(1)],
    ["a point that names no vault", undefined, arn(1)],
  ])("picks the fleet vault's point over %s", (_case, otherVault, expected) => {
    const chosen = pickRecoveryPoint(
      [
        {
          RecoveryPointArn: arn(1),
          BackupVaultName: VAULT,
          Status: "COMPLETED",
          CreationDate: "2026-03-01T05:00:00Z",
        },
        {
          RecoveryPointArn: arn(2),
          BackupVaultName: otherVault,
          Status: "COMPLETED",
          CreationDate: "2026-03-02T05:00:00Z",
        },
      ],
      { vaultName: VAULT },
    );
    expect(chosen?.recoveryPointArn).toBe(expected);
  });

  it("finds nothing when only other vaults hold COMPLETED points", () => {
    const copy = {
      RecoveryPointArn: arn(2),
      BackupVaultName: "elsewhere",
      Status: "COMPLETED",
      CreationDate: "2026-03-02T05:00:00Z",
    };
    expect(pickRecoveryPoint([copy], { vaultName: VAULT })).toBeUndefined();
  });

  it("returns the creation date as ISO and the backup size", () => {
    const chosen = pickRecoveryPoint(
      [
        {
          RecoveryPointArn: arn(1),
          BackupVaultName: VAULT,
          Status: "COMPLETED",
          CreationDate: new Date("2026-03-01T05:00:00Z"),
          BackupSizeBytes: 42,
        },
      ],
      { vaultName: VAULT },
    );
    expect(chosen).toEqual({
      recoveryPointArn: arn(1),
      creationDate: "2026-03-01T05:00:00.000Z",
      backupSizeBytes: 42,
    });
  });
});

describe("Function: rpoSeconds and rtoSeconds", () => {
  it.each([
    ["2026-03-02T05:00:00Z", "2026-03-02T06:11:52Z", 4312],
    ["2026-03-02T05:00:00Z", "2026-03-02T05:00:00Z", 0],
    ["2026-03-02T05:00:01Z", "2026-03-02T05:00:00Z", 0],
  ])("measures from %s to %s as %i seconds", (from, to, seconds) => {
    expect(rpoSeconds(from, to)).toBe(seconds);
    expect(rtoSeconds(from, to)).toBe(seconds);
  });

  it("rejects a date it cannot read", () => {
    expect(() => rtoSeconds("yesterday", "2026-03-02T05:00:00Z")).toThrow(RangeError);
  });
});

describe("Function: restorePollDelaySeconds", () => {
  it.each([
    [0, 15],
    [1, 15],
    [39, 15],
    [40, 30],
    [79, 30],
    [80, 60],
    [500, 60],
  ])("waits after poll %i for %i seconds", (attempt, seconds) => {
    expect(restorePollDelaySeconds(attempt)).toBe(seconds);
  });

  it("sees a 10-minute restore within 15 s and polls an hour-long one 110 times", () => {
    const pollTimes = (seconds: number) => {
      const times: number[] = [];
      for (let t = 0, n = 0; t < seconds; n++) {
        t += restorePollDelaySeconds(n);
        times.push(t);
      }
      return times;
    };
    expect((pollTimes(600).at(-1) ?? 0) - 600).toBeLessThanOrEqual(15);
    expect(pollTimes(3600)).toHaveLength(110);
  });
});

describe("Function: prepareWaitSeconds", () => {
  it.each([
    ["mount-targets", 0, 60],
    ["mount-targets", 1, 10],
    ["mount-targets", 7, 10],
    ["verifier", 0, 10],
    ["verifier", 5, 10],
  ] as const)("waits in phase %s after check %i for %i seconds", (phase, attempt, seconds) => {
    expect(prepareWaitSeconds(phase, attempt)).toBe(seconds);
  });
});

describe("Function: verifierFor", () => {
  const settings = parseDrillSettings(
    JSON.stringify({
      fleetName: "f",
      vaultName: "v",
      restoreRoleArn: "r",
      kmsKeyArn: "k",
      fileSystems: [],
      manifestParameterName: "/m",
      verifier: {
        functionName: "shared",
        subnetIds: [],
        mountTargetSecurityGroupIds: [],
        perFileSystem: { "fs-w": { functionName: "verifier-w", mountPath: "/mnt/w" } },
      },
    }),
  );

  it.each([
    ["fs-w", { functionName: "verifier-w", mountPath: "/mnt/w" }],
    ["fs-other", { functionName: "shared", mountPath: "/mnt/drill" }],
  ])("gives %s the verifier %j", (id, expected) => {
    expect(verifierFor(settings, id)).toEqual(expected);
  });

  it("lists each verifier once", () => {
    expect(allVerifiers(settings).map((v) => v.functionName)).toEqual(["shared", "verifier-w"]);
  });
});

describe("Function: percentDone", () => {
  it.each([
    ["42.50", 42.5],
    ["0.00", 0],
    [100, 100],
    ["", undefined],
    [undefined, undefined],
    ["n/a", undefined],
  ])("reads %j as %j", (value, expected) => {
    expect(percentDone(value)).toBe(expected);
  });
});

describe("Function: restoreJobInput", () => {
  const request = {
    drillId: "drill-20260302-0600",
    sourceFileSystemId: "fs-0abc1234def567890",
    recoveryPointArn: arn(1),
    kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    iamRoleArn: "arn:aws:iam::123456789012:role/clawops-test-restore",
  };

  it("sends every metadata value as a string, to a new encrypted file system with a CreationToken", () => {
    const input = restoreJobInput(request);
    expect(input.Metadata).toEqual({
      "file-system-id": "fs-0abc1234def567890",
      newFileSystem: "true",
      Encrypted: "true",
      KmsKeyId: request.kmsKeyArn,
      PerformanceMode: "generalPurpose",
      CreationToken: restoreCreationToken(request.drillId, request.sourceFileSystemId, undefined),
    });
    expect(Object.values(input.Metadata).every((v) => typeof v === "string")).toBe(true);
    expect(input.IdempotencyToken).toBe(input.Metadata.CreationToken);
    expect(input.ResourceType).toBe("EFS");
  });

  it("adds ItemsToRestore as a JSON array string only when items are given", () => {
    expect(restoreJobInput({ ...request, itemsToRestore: ["/workspace"] }).Metadata.ItemsToRestore).toBe(
      '["/workspace"]',
    );
    expect(restoreJobInput({ ...request, itemsToRestore: [] }).Metadata).not.toHaveProperty("ItemsToRestore");
  });

  it.each([
    ["another drill", { drillId: "drill-2" }],
    ["another source", { sourceFileSystemId: "fs-0abc1234def567891" }],
    ["another stage", { stage: "dev" }],
  ])("makes a different CreationToken (≤ 64 characters) for %s", (_case, change) => {
    const staged = { ...request, stage: "prod" };
    const a = restoreJobInput(staged).Metadata.CreationToken!;
    const b = restoreJobInput({ ...staged, ...change }).Metadata.CreationToken!;
    expect(a).not.toBe(b);
    expect(a.length).toBeLessThanOrEqual(64);
    expect(restoreJobInput(staged).Metadata.CreationToken).toBe(a);
  });
});

describe("Function: restoreCreationToken", () => {
  it.each([
    ["prod", "clawops-drill-prod-"],
    ["pr-1234", "clawops-drill-pr-1234-"],
    ["a-very-long-stage-name-for-a-branch", "clawops-drill-"],
  ])("carries stage %s and stays within EFS's 64 characters", (stage, prefix) => {
    const token = restoreCreationToken("drill-20260302-0600", "fs-0abc1234def567890", stage);
    expect(token.startsWith(prefix)).toBe(true);
    expect(token.length).toBeLessThanOrEqual(64);
    expect(isStageCreationToken(token, stage)).toBe(true);
  });

  it.each([
    ["another stage", "dev", "prod"],
    ["a stage whose name starts with this one's", "dev-2", "dev"],
    ["a stage that is a prefix of this one's", "dev", "dev-2"],
  ])("is not claimed by %s", (_case, madeBy, claimedBy) => {
    const token = restoreCreationToken("drill-1", "fs-0abc1234def567890", madeBy);
    expect(isStageCreationToken(token, claimedBy)).toBe(false);
  });

  it("is claimed by no stage when made without one", () => {
    const token = restoreCreationToken("drill-1", "fs-0abc1234def567890", undefined);
    expect(isStageCreationToken(token, "prod")).toBe(false);
  });
});

describe("Function: restoreTargets", () => {
  const workspace = { fileSystemId: "fs-w", kind: "workspace", path: "/workspace" } as const;
  const runtime = { fileSystemId: "fs-r", kind: "runtime", path: "/runtime" } as const;

  it("restores each of two file systems once, each with its own tree", () => {
    expect(restoreTargets([workspace, runtime])).toEqual([
      { fileSystem: workspace, trees: [workspace] },
      { fileSystem: runtime, trees: [runtime] },
    ]);
  });

  it("restores a file system the workspace and the runtime share once, with both trees", () => {
    const shared = { ...runtime, fileSystemId: "fs-w" };
    expect(restoreTargets([workspace, shared])).toEqual([
      { fileSystem: workspace, trees: [workspace, shared] },
    ]);
  });
});

describe("Function: keepsFileSystems", () => {
  it.each([
    ["clawops drill --keep", { keep: true }, true],
    ["a restore-testing job's event (AWS deletes its file system)", { source: "aws.backup" }, true],
    ["a drill without --keep", { keep: false }, false],
    ["the schedule's request", {}, false],
    ["a keep that is not a boolean", { keep: "true" }, false],
    ["no request", undefined, false],
    ["a request that is not an object", "keep", false],
  ])("reads %s as %s", (_case, request, expected) => {
    expect(keepsFileSystems(request)).toBe(expected);
  });
});

describe("Function: executionRequest", () => {
  it.each([
    ["the execution's JSON input", '{"keep":true}', { request: { keep: true } }],
    ["no input (over 256 KB)", undefined, { unreadable: "the event carries no execution input" }],
    ["a null input", null, { unreadable: "the event carries no execution input" }],
  ])("reads %s", (_case, input, expected) => {
    expect(executionRequest(input)).toEqual(expected);
  });

  it("says why an input that is not JSON cannot be read", () => {
    expect(executionRequest("{keep")).toMatchObject({ unreadable: expect.stringContaining("not JSON") });
  });
});

const dir = (name: string) => ({ name, isDirectory: () => true });
const file = (name: string) => ({ name, isDirectory: () => false });

describe("Function: findRestoreRoot", () => {
  it.each([
    [
      "the one restore directory",
      [dir("aws-backup-restore_2026-03-02T06-31-05-123Z")],
      "aws-backup-restore_2026-03-02T06-31-05-123Z",
    ],
    [
      "it among other entries",
      [dir("lost+found"), file("aws-backup-restore_x.txt"), dir("aws-backup-restore_20260302")],
      "aws-backup-restore_20260302",
    ],
  ])("finds %s", (_case, entries, expected) => {
    expect(findRestoreRoot(entries)).toBe(expected);
  });

  it.each([
    ["none", [dir("workspace")]],
    ["two", [dir("aws-backup-restore_a"), dir("aws-backup-restore_b")]],
    ["only a file with the prefix", [file("aws-backup-restore_a")]],
  ])("refuses %s", (_case, entries) => {
    expect(() => findRestoreRoot(entries)).toThrow(RestoreRootError);
  });
});

describe("Function: judgeDrill", () => {
  const verified = {
    sourceFileSystemId: "fs-0abc1234def567890",
    recoveryPointArn: arn(1),
    rpoSeconds: 4312,
    restoreStartedAt: "2026-03-02T06:00:00Z",
    verifiedAt: "2026-03-02T06:15:12Z",
    verification: { filesVerified: 148, bytesVerified: 1_048_576, mismatches: [] },
  };
  const mismatch = { path: "SOUL.md", reason: "sha256 differs" };

  it.each([
    ["every file system verified", [verified], { passed: true, failed: false, reason: undefined }],
    [
      "a mismatch",
      [
        verified,
        {
          ...verified,
          sourceFileSystemId: "fs-2",
          verification: { ...verified.verification, mismatches: [mismatch] },
        },
      ],
      { passed: false, failed: false, reason: "fs-2: 1 file(s) differ" },
    ],
    [
      "a failed restore",
      [
        {
          sourceFileSystemId: "fs-2",
          error: {
            Error: "RestoreFailedError",
            Cause: '{"errorMessage":"restore job FAILED: access denied"}',
          },
        },
      ],
      { passed: false, failed: true, reason: "fs-2: RestoreFailedError: restore job FAILED: access denied" },
    ],
    [
      "a timeout",
      [{ sourceFileSystemId: "fs-2", error: { Error: "States.Timeout" } }],
      { passed: false, failed: true, reason: "fs-2: States.Timeout" },
    ],
    [
      "a file the verifier could not check",
      [
        {
          ...verified,
          verification: {
            ...verified.verification,
            unverified: [{ path: "memory/index.sqlite", reason: "SQLite integrity unknown" }],
          },
        },
      ],
      {
        passed: false,
        failed: false,
        reason: "fs-0abc1234def567890: 1 file(s) could not be verified",
        fileSystems: [
          expect.objectContaining({
            passed: false,
            unverified: [{ path: "memory/index.sqlite", reason: "SQLite integrity unknown" }],
          }),
        ],
      },
    ],
    [
      "a mismatch and an unchecked file",
      [
        {
          ...verified,
          verification: {
            ...verified.verification,
            mismatches: [mismatch],
            unverified: [{ path: "big.json", reason: "JSON too large to parse" }],
          },
        },
      ],
      {
        passed: false,
        reason: "fs-0abc1234def567890: 1 file(s) differ, 1 file(s) could not be verified",
      },
    ],
    ["no file system", [], { passed: false, failed: true, reason: "no file system to drill" }],
  ])("judges %s", (_case, outcomes, expected) => {
    expect(judgeDrill("drill-1", outcomes)).toMatchObject(expected);
  });

  it("measures RTO from restore start to verified, and none for a failed branch", () => {
    const verdict = judgeDrill("drill-1", [
      verified,
      { ...verified, verification: undefined, error: { Error: "States.Timeout" } },
    ]);
    expect(verdict.fileSystems.map((fs) => fs.rtoSeconds)).toEqual([912, null]);
  });

  it("renders the summary table", () => {
    const rows = drillSummaryRows(judgeDrill("drill-1", [verified]));
    expect(rows[0]).toEqual(["file system", "recovery point", "RPO", "RTO", "files", "bytes", "result"]);
    expect(rows[1]).toEqual(["fs-0abc1234def567890", "rp-1", "1h 11m", "15m 12s", "148", "1.0 MiB", "PASS"]);
  });

  it("shows what could not be verified in the summary table's result", () => {
    const unchecked = [{ path: "memory/index.sqlite", reason: "SQLite integrity unknown" }];
    const rows = drillSummaryRows(
      judgeDrill("drill-1", [
        { ...verified, verification: { ...verified.verification, unverified: unchecked } },
      ]),
    );
    expect(rows[1]?.at(-1)).toBe("FAIL (1 unverified)");
  });
});

describe("Function: failedDrillVerdict", () => {
  it("fails a drill that ended before any branch, with Step Functions' error as the reason", () => {
    const verdict = failedDrillVerdict("drill-1", {
      Error: "InvalidManifestError",
      Cause: '{"errorMessage":"the soul manifest /clawops/prod/soul-manifest lists no file"}',
    });
    expect(verdict).toEqual({
      drillId: "drill-1",
      passed: false,
      failed: true,
      reason: "InvalidManifestError: the soul manifest /clawops/prod/soul-manifest lists no file",
      fileSystems: [],
    });
  });
});

describe("Function: formatDuration", () => {
  it.each([
    [null, "—"],
    [42, "42s"],
    [912, "15m 12s"],
    [4312, "1h 11m"],
    [183600, "2d 03h"],
  ])("formats %j as %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe("Function: sweepTargets", () => {
  const now = Date.parse("2026-03-03T06:00:00Z");
  const old = "2026-03-01T06:00:00Z";
  const tagged = {
    "clawops:drill-id": "drill-1",
    "clawops:created-by": "clawops-drill",
    "clawops:stage": "prod",
  };
  const prodToken = restoreCreationToken("drill-1", "fs-0fleet", "prod");
  const devToken = restoreCreationToken("drill-1", "fs-0fleet", "dev");
  it.each([
    [
      "an old drill file system",
      { fileSystemId: "fs-1", creationToken: "x", creationTime: old, tags: tagged },
      [{ fileSystemId: "fs-1", drillId: "drill-1", needsTags: false }],
    ],
    [
      "a recent one",
      { fileSystemId: "fs-1", creationToken: "x", creationTime: "2026-03-03T05:00:00Z", tags: tagged },
      [],
    ],
    [
      "an untagged one with this stage's drill token",
      { fileSystemId: "fs-2", creationToken: prodToken, creationTime: old, tags: {} },
      [{ fileSystemId: "fs-2", drillId: prodToken, needsTags: true }],
    ],
    [
      "another stage's kept drill file system",
      {
        fileSystemId: "fs-5",
        creationToken: devToken,
        creationTime: old,
        tags: { ...tagged, "clawops:stage": "dev" },
      },
      [],
    ],
    [
      "an untagged one with another stage's drill token",
      { fileSystemId: "fs-6", creationToken: devToken, creationTime: old, tags: {} },
      [],
    ],
    [
      "a drill file system without the stage tag",
      {
        fileSystemId: "fs-7",
        creationToken: "x",
        creationTime: old,
        tags: { "clawops:drill-id": "drill-1", "clawops:created-by": "clawops-drill" },
      },
      [],
    ],
    [
      "someone else's file system",
      { fileSystemId: "fs-3", creationToken: "console-1", creationTime: old, tags: { Name: "data" } },
      [],
    ],
    [
      "a drill-id tag without the creator tag",
      {
        fileSystemId: "fs-4",
        creationToken: "x",
        creationTime: old,
        tags: { "clawops:drill-id": "drill-1" },
      },
      [],
    ],
    [
      "a fleet file system even when tagged as a drill",
      { fileSystemId: "fs-fleet", creationToken: "clawops-drill-abc", creationTime: old, tags: tagged },
      [],
    ],
  ])("selects %s accordingly", (_case, candidate, expected) => {
    expect(
      sweepTargets([candidate], { now, maxAgeHours: 24, fleetFileSystemIds: ["fs-fleet"], stage: "prod" }),
    ).toEqual(expected);
  });
});
