export {
  type FleetDescription,
  type FleetFileSystem,
  type FleetNames,
  fleetNames,
  type GatewayEndpoint,
  gatewayEndpoint,
  importedFleetDescription,
  RUNTIME_MOUNT,
  WORKSPACE_MOUNT,
} from "./description.js";
export { FleetError, ManifestFormatError, SoulDocumentsError } from "./errors.js";
export {
  buildManifest,
  diffManifest,
  type ManifestDiff,
  manifestOf,
  parseManifest,
  type ReadSoulDocumentsOptions,
  readSoulDocuments,
  type SoulDocuments,
  type SoulManifest,
  sha256Hex,
} from "./manifest.js";
export {
  isWorkspacePath,
  planSoulWrite,
  requestedDocuments,
  SOUL_DOCUMENTS_RESOURCE_ID,
  type SoulWritePlan,
  type SoulWriteRequest,
  SoulWriteRequestSchema,
} from "./soul-write.js";
