import { ClawopsError } from "../errors.js";

/** Base of the fleet domain's errors (soul documents, manifests, fleet descriptions). */
export class FleetError extends ClawopsError {
  constructor(message: string, options?: ErrorOptions & { retryable?: boolean }) {
    super(message, options);
    this.name = "FleetError";
  }
}

/** The soul-documents directory is missing, empty, or holds something that cannot be deployed. */
export class SoulDocumentsError extends FleetError {
  /** The directory that was read. */
  readonly dir: string;

  constructor(message: string, dir: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SoulDocumentsError";
    this.dir = dir;
  }
}

/** A stored manifest is not the JSON `{ "files": { "<path>": "<sha256 hex>" } }` clawops writes. */
export class ManifestFormatError extends FleetError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ManifestFormatError";
  }
}
