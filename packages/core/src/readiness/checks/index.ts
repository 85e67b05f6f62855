import type { ReadinessCheck } from "../types.js";
import { approvalGateChecks } from "./approval-gates.js";
import { backupChecks } from "./backup.js";
import { credentialChecks } from "./credentials.js";
import { infrastructureChecks } from "./infrastructure.js";
import { monitoringChecks } from "./monitoring.js";
import { networkChecks } from "./network.js";
import { skillEvalChecks } from "./skill-evals.js";
import { soulDocumentChecks } from "./soul-documents.js";

/** Every readiness check, in the checklist's order of areas. */
export const READINESS_CHECKS: readonly ReadinessCheck[] = [
  ...infrastructureChecks,
  ...soulDocumentChecks,
  ...credentialChecks,
  ...networkChecks,
  ...monitoringChecks,
  ...backupChecks,
  ...skillEvalChecks,
  ...approvalGateChecks,
];

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
