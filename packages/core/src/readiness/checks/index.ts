import type { ReadinessCheck } from "../types.js";
import { approvalGateChecks } from "./approval-gates.js";
import { backupChecks } from "./backup.js";
import { credentialChecks } from "./credentials.js";
import { infrastructureChecks } from "./infrastructure.js";
import { monitoringChecks } from "./monitoring.js";
import { networkChecks } from "./network.js";
import { skillEvalChecks } from "./skill-evals.js";
import { soulDocumentChecks } from "./soul-documents.js";

/**
 * Every readiness check, in the checklist's order of areas. Marked pure: a bundle that imports this package
 * for something else (the evals ingestion) leaves the checks out (esbuild keeps a top-level spread otherwise).
 */
export const READINESS_CHECKS: readonly ReadinessCheck[] = /* @__PURE__ */ (() => [
  ...infrastructureChecks,
  ...soulDocumentChecks,
  ...credentialChecks,
  ...networkChecks,
  ...monitoringChecks,
  ...backupChecks,
  ...skillEvalChecks,
  ...approvalGateChecks,
])();

export {
  approvalGateChecks,
  backupChecks,
  credentialChecks,
  infrastructureChecks,
  monitoringChecks,
  networkChecks,
  skillEvalChecks,
  soulDocumentChecks,
};
