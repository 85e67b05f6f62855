import { describe, expect, it } from "vitest";
import {
  assertDeletable,
  CleanupRefusedError,
  cleanupRefusal,
  type DeletableResource,
} from "../../src/drills/index.js";

const drill = {
  drillId: "drill-20260302-0600",
  stage: "prod",
  fleetFileSystemIds: ["fs-0fleetworkspace", "fs-0fleetruntime"],
};
const mine = {
  "clawops:drill-id": "drill-20260302-0600",
  "clawops:created-by": "clawops-drill",
  "clawops:stage": "prod",
};
const resource = (over: Partial<DeletableResource>): DeletableResource => ({
  kind: "file-system",
  id: "fs-0restored",
  fileSystemId: "fs-0restored",
  tags: mine,
  ...over,
});

describe("Function: assertDeletable", () => {
  it.each([
    ["its restored file system", resource({})],
    ["an access point on it", resource({ kind: "access-point", id: "fsap-0abc" })],
    [
      "a mount target on it (judged by its file system's tags)",
      resource({ kind: "mount-target", id: "fsmt-0abc" }),
    ],
  ])("allows %s", (_case, r) => {
    expect(() => assertDeletable(r, drill)).not.toThrow();
  });

  it.each([
    [
      "the fleet's workspace file system, even tagged as this drill's",
      resource({ id: "fs-0fleetworkspace", fileSystemId: "fs-0fleetworkspace" }),
      "fleet's own",
    ],
    [
      "the fleet's runtime file system",
      resource({ id: "fs-0fleetruntime", fileSystemId: "fs-0fleetruntime", tags: {} }),
      "fleet's own",
    ],
    [
      "a mount target of a fleet file system",
      resource({ kind: "mount-target", id: "fsmt-1", fileSystemId: "fs-0fleetruntime" }),
      "fleet's own",
    ],
    [
      "an access point of a fleet file system",
      resource({ kind: "access-point", id: "fsap-1", fileSystemId: "fs-0fleetworkspace" }),
      "fleet's own",
    ],
    ["an untagged file system", resource({ tags: {} }), "no clawops:drill-id tag"],
    [
      "another drill's file system",
      resource({ tags: { ...mine, "clawops:drill-id": "drill-other" } }),
      "belongs to drill drill-other",
    ],
    [
      "a file system tagged with the id but not created by a drill",
      resource({ tags: { "clawops:drill-id": drill.drillId } }),
      "created-by",
    ],
    [
      "a file system whose creator tag is someone else",
      resource({ tags: { ...mine, "clawops:created-by": "operator" } }),
      "created-by",
    ],
    [
      "another stage's drill file system with the same drill id (a kept drill of dev)",
      resource({ tags: { ...mine, "clawops:stage": "dev" } }),
      "belongs to stage dev, not prod",
    ],
    [
      "a drill file system without the stage tag",
      resource({
        tags: { "clawops:drill-id": drill.drillId, "clawops:created-by": "clawops-drill" },
      }),
      "no clawops:stage tag",
    ],
    [
      "a drill-id tag that differs only in case",
      resource({ tags: { ...mine, "clawops:drill-id": drill.drillId.toUpperCase() } }),
      "belongs to drill",
    ],
  ])("refuses %s", (_case, r, why) => {
    expect(() => assertDeletable(r, drill)).toThrow(CleanupRefusedError);
    expect(() => assertDeletable(r, drill)).toThrow(why);
  });

  it("refuses everything for a drill without an id", () => {
    expect(() =>
      assertDeletable(resource({ tags: { ...mine, "clawops:drill-id": "" } }), { ...drill, drillId: "" }),
    ).toThrow(CleanupRefusedError);
  });

  it("names the refused resource and the drill on the error", () => {
    const refusal = cleanupRefusal(resource({ tags: {} }), drill);
    expect(refusal).toBeInstanceOf(CleanupRefusedError);
    expect(refusal).toMatchObject({
      name: "CleanupRefusedError",
      resourceId: "fs-0restored",
      drillId: drill.drillId,
    });
    expect(cleanupRefusal(resource({}), drill)).toBeUndefined();
  });
});
