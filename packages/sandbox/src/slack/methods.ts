import { checkBlocks, checkText } from "./blocks.js";
import { SlackMethodError } from "./errors.js";
import type { SlackFile, SlackMessage, SlackWorkspace } from "./workspace.js";

/** The identity the local workspace answers `auth.test` with. */
export interface SlackIdentity {
  readonly teamId: string;
  readonly team: string;
  readonly botUserId: string;
  readonly botId: string;
}

/** What a method needs besides its arguments. */
export interface MethodContext {
  readonly workspace: SlackWorkspace;
  readonly identity: SlackIdentity;
  /** Base URL of the server (`http://127.0.0.1:port/`). */
  readonly baseUrl: string;
}

type Args = Record<string, unknown>;
/** One Web API method: arguments in, the fields of the `ok: true` envelope out (or a `SlackMethodError`). */
export type SlackMethodHandler = (args: Args, ctx: MethodContext) => Record<string, unknown>;

/** The path the upload URL of `files.getUploadURLExternal` points at; the file id follows it. */
export const UPLOAD_PATH = "/upload/v1/";

function messageJson(message: SlackMessage, ctx: MethodContext): Record<string, unknown> {
  return {
    type: "message",
    ...(message.subtype ? { subtype: message.subtype } : {}),
    text: message.text,
    user: message.user,
    bot_id: ctx.identity.botId,
    ts: message.ts,
    ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
    ...(message.blocks ? { blocks: message.blocks } : {}),
    ...(message.files.length > 0 ? { files: message.files.map(fileJson) } : {}),
    team: ctx.identity.teamId,
  };
}

function fileJson(file: SlackFile): Record<string, unknown> {
  return { id: file.id, name: file.name, title: file.title, mimetype: file.mimetype, size: file.size };
}

function requireString(args: Args, name: string): string {
  const value = args[name];
  if (typeof value === "string" && value !== "") return value;
  if (typeof value === "number") return String(value);
  throw new SlackMethodError("invalid_arguments", [`[ERROR] missing required field: ${name}`]);
}

/** The methods clawops uses, as the local server answers them. */
export const slackMethods: Readonly<Record<string, SlackMethodHandler>> = {
  "auth.test": (_args, { identity, baseUrl }) => ({
    url: baseUrl,
    team: identity.team,
    user: "clawops",
    team_id: identity.teamId,
    user_id: identity.botUserId,
    bot_id: identity.botId,
    is_enterprise_install: false,
  }),

  "chat.postMessage": (args, ctx) => {
    const channel = ctx.workspace.require(args.channel);
    const blocks = checkBlocks(args.blocks);
    const text = checkText(args.text, blocks);
    const threadTs = typeof args.thread_ts === "string" ? args.thread_ts : undefined;
    const broadcast = args.reply_broadcast === true || args.reply_broadcast === "true";
    const message = ctx.workspace.post(channel, { text, blocks, threadTs, broadcast });
    return { channel: channel.id, ts: message.ts, message: messageJson(message, ctx) };
  },

  "chat.update": (args, ctx) => {
    const channel = ctx.workspace.requireId(args.channel);
    const ts = requireString(args, "ts");
    const blocks = checkBlocks(args.blocks);
    const text = checkText(args.text, blocks);
    const message = ctx.workspace.update(channel, ts, { text, blocks });
    return { channel: channel.id, ts: message.ts, text: message.text, message: messageJson(message, ctx) };
  },

  "conversations.info": (args, { workspace }) => {
    const channel = workspace.require(args.channel);
    return {
      channel: {
        id: channel.id,
        name: channel.name,
        name_normalized: channel.name,
        is_channel: true,
        is_private: false,
        is_archived: false,
        is_member: true,
        created: Math.floor(channel.created / 1000),
      },
    };
  },

  "files.getUploadURLExternal": (args, { workspace, baseUrl }) => {
    const filename = requireString(args, "filename");
    const length = Number(requireString(args, "length"));
    if (!Number.isInteger(length) || length < 0) {
      throw new SlackMethodError("invalid_arguments", ["[ERROR] length must be a non-negative integer"]);
    }
    const altText = typeof args.alt_text === "string" ? args.alt_text : undefined;
    const fileId = workspace.reserveFile(filename, length, altText);
    return { upload_url: `${baseUrl.replace(/\/$/, "")}${UPLOAD_PATH}${fileId}`, file_id: fileId };
  },

  "files.completeUploadExternal": (args, ctx) => {
    const raw = typeof args.files === "string" ? safeJson(args.files) : args.files;
    if (!Array.isArray(raw) || raw.length === 0) {
      throw new SlackMethodError("invalid_arguments", ["[ERROR] files must be a non-empty array"]);
    }
    const channel = args.channel_id !== undefined ? ctx.workspace.requireId(args.channel_id) : undefined;
    const files = ctx.workspace.completeFiles(raw as { id: string; title?: string }[]);
    if (channel) {
      const blocks = checkBlocks(args.blocks);
      const text = typeof args.initial_comment === "string" ? args.initial_comment : "";
      if (text.length > 40_000) throw new SlackMethodError("msg_too_long");
      const threadTs = typeof args.thread_ts === "string" ? args.thread_ts : undefined;
      ctx.workspace.post(channel, { text, blocks, threadTs }, { files, subtype: "file_share" });
    }
    return { files: files.map(fileJson) };
  },
};

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SlackMethodError("invalid_arguments", ["[ERROR] files is not valid JSON"], { cause: error });
  }
}
