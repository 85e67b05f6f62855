import type { IncomingMessage } from "node:http";
import { SlackMethodError } from "./errors.js";

/** A parsed Web API request: its arguments (query, then body) and any binary parts of a multipart body. */
export interface SlackRequest {
  readonly args: Record<string, unknown>;
  readonly files: readonly { field: string; name: string; content: Buffer }[];
  /** The raw body, for uploads that are not multipart. */
  readonly raw: Buffer;
  /** The token from `Authorization: Bearer ...`, else the `token` argument. */
  readonly token: string | undefined;
}

const MAX_BODY_BYTES = 50 * 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new SlackMethodError("request_too_large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Reads a request the way Slack accepts it: `application/x-www-form-urlencoded` (what `@slack/web-api` sends by
 * default; objects arrive as JSON strings), `application/json`, or `multipart/form-data` (binary arguments).
 */
export async function readSlackRequest(req: IncomingMessage): Promise<SlackRequest> {
  const raw = await readBody(req);
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const args: Record<string, unknown> = Object.fromEntries(url.searchParams);
  const files: { field: string; name: string; content: Buffer }[] = [];
  const contentType = req.headers["content-type"] ?? "";
  const type = contentType.toLowerCase();
  if (raw.length > 0 && type.startsWith("application/json")) {
    let body: unknown;
    try {
      body = JSON.parse(raw.toString("utf8"));
    } catch (error) {
      throw new SlackMethodError("invalid_json", [], { cause: error });
    }
    if (typeof body === "object" && body !== null) Object.assign(args, body);
  } else if (raw.length > 0 && type.startsWith("application/x-www-form-urlencoded")) {
    Object.assign(args, Object.fromEntries(new URLSearchParams(raw.toString("utf8"))));
  } else if (raw.length > 0 && type.startsWith("multipart/form-data")) {
    const form = await new Response(raw, { headers: { "content-type": contentType } })
      .formData()
      .catch((error) => {
        throw new SlackMethodError("invalid_form_data", [], { cause: error });
      });
    for (const [field, value] of form.entries()) {
      if (typeof value === "string") args[field] = value;
      else files.push({ field, name: value.name, content: Buffer.from(await value.arrayBuffer()) });
    }
  }
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
  const token = bearer ?? (typeof args.token === "string" ? args.token : undefined);
  delete args.token;
  return { args, files, raw, token };
}
