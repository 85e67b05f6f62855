import * as z from "zod/mini";
import { diffManifest, manifestOf, type SoulManifest } from "./manifest.js";

/** Physical id of the soul-documents custom resource: one per workspace, stable across updates. */
export const SOUL_DOCUMENTS_RESOURCE_ID = "clawops-soul-documents";

/** True for a relative POSIX path that stays inside the workspace (no `..`, no absolute path, no dotfile). */
export function isWorkspacePath(path: string): boolean {
  if (path.length === 0 || path.startsWith("/") || path.includes("\\")) return false;
  return path.split("/").every((part) => part.length > 0 && part !== ".." && !part.startsWith("."));
}

/**
 * The CloudFormation custom-resource request the soul writer receives (through the CDK provider framework).
 * `Documents` maps each document's relative path to its base64 content: CloudFormation passes properties as
 * strings, and base64 keeps any byte of a reviewed document exactly as git has it.
 * @example { "RequestType": "Update", "PhysicalResourceId": "clawops-soul-documents",
 *   "ResourceProperties": { "ServiceToken": "arn:…", "Documents": { "SOUL.md": "IyBTT1VM…" } } }
 */
export const SoulWriteRequestSchema = z.object({
  RequestType: z.enum(["Create", "Update", "Delete"]),
  PhysicalResourceId: z.optional(z.string()),
  ResourceProperties: z.object({
    Documents: z.record(
      z.string().check(z.refine(isWorkspacePath, "a relative path inside the workspace")),
      z.string().check(z.regex(/^[A-Za-z0-9+/]*={0,2}$/, "base64 content")),
    ),
  }),
});
export type SoulWriteRequest = z.infer<typeof SoulWriteRequestSchema>;

/** What the writer does to the workspace; both lists sorted. */
export interface SoulWritePlan {
  /** Documents to (re)write: new ones and ones whose bytes changed. */
  readonly write: readonly string[];
  /** Files the workspace holds that the repository no longer has. */
  readonly remove: readonly string[];
  /** The manifest the workspace matches once the plan ran. */
  readonly manifest: SoulManifest;
}

/** Decodes the request's documents into bytes, keyed and sorted by path. */
export function requestedDocuments(request: SoulWriteRequest): Record<string, Buffer> {
  const documents = request.ResourceProperties.Documents;
  return Object.fromEntries(
    Object.keys(documents)
      .sort()
      .map((path) => [path, Buffer.from(documents[path]!, "base64")]),
  );
}

/**
 * Decides what the soul writer does (pure). Create and Update make the workspace hold exactly the repository's
 * documents: unchanged files are left alone, so an update rewrites only what a reviewed change touched. Delete
 * leaves the documents in place: the file system is retained, and instances still running keep reading the
 * last reviewed instructions rather than an empty workspace.
 */
export function planSoulWrite(request: SoulWriteRequest, present: SoulManifest): SoulWritePlan {
  if (request.RequestType === "Delete") return { write: [], remove: [], manifest: present };
  const manifest = manifestOf(requestedDocuments(request));
  const diff = diffManifest(manifest, present);
  return { write: [...diff.missing, ...diff.changed].sort(), remove: diff.unexpected, manifest };
}
