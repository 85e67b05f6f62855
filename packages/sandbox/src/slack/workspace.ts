import { SlackMethodError, UnknownChannelError } from "./errors.js";

/** A file as shared into a channel. */
export interface SlackFile {
  readonly id: string;
  readonly name: string;
  readonly title: string;
  readonly mimetype: string;
  readonly size: number;
  readonly altText: string | undefined;
  /** The uploaded bytes. */
  readonly content: Buffer;
}

/** One earlier version of an edited message. */
export interface SlackEdit {
  readonly text: string;
  readonly blocks: readonly Record<string, unknown>[] | undefined;
  /** When it was replaced (Slack ts format). */
  readonly replacedAt: string;
}

/** A message as the channel shows it now; `edits` keeps what `chat.update` replaced, oldest first. */
export interface SlackMessage {
  readonly ts: string;
  /** The parent's ts for a thread reply; undefined for a top-level message. */
  readonly thread_ts: string | undefined;
  readonly text: string;
  readonly blocks: readonly Record<string, unknown>[] | undefined;
  readonly files: readonly SlackFile[];
  readonly edits: readonly SlackEdit[];
  /** `file_share` for a message created by `files.completeUploadExternal`. */
  readonly subtype: string | undefined;
  readonly user: string;
}

/** What one channel shows. */
export interface SlackChannelView {
  readonly id: string;
  readonly name: string;
  /** Top-level messages (and broadcast replies), oldest first. */
  readonly messages: readonly SlackMessage[];
  /** The replies in the thread under the message `ts` (not the parent itself), oldest first. */
  thread(ts: string): readonly SlackMessage[];
}

interface MutableMessage {
  ts: string;
  thread_ts: string | undefined;
  text: string;
  blocks: Record<string, unknown>[] | undefined;
  files: SlackFile[];
  edits: SlackEdit[];
  subtype: string | undefined;
  user: string;
  broadcast: boolean;
}

interface Channel {
  readonly id: string;
  readonly name: string;
  readonly created: number;
  readonly messages: MutableMessage[];
}

/** A file between `files.getUploadURLExternal` and `files.completeUploadExternal`. */
interface PendingFile {
  readonly id: string;
  readonly name: string;
  readonly length: number;
  readonly altText: string | undefined;
  content: Buffer | undefined;
}

/** The state of the local Slack workspace: channels, their messages and threads, uploaded files. */
export class SlackWorkspace {
  private readonly channels = new Map<string, Channel>();
  private readonly pending = new Map<string, PendingFile>();
  private lastMicros = 0;
  private fileSeq = 0;

  constructor(
    private readonly now: () => number,
    readonly botUserId: string,
  ) {}

  /** Adds a channel (`name` without `#`); the id defaults to a Slack-looking one derived from the order. */
  addChannel(name: string, id?: string): string {
    const channelId = id ?? `C0SANDBOX${String(this.channels.size + 1).padStart(2, "0")}`;
    this.channels.set(channelId, {
      id: channelId,
      name: name.replace(/^#/, ""),
      created: this.now(),
      messages: [],
    });
    return channelId;
  }

  /** The channel with this id or name (`alerts`, `#alerts`), or undefined. */
  find(nameOrId: string): Channel | undefined {
    const key = nameOrId.replace(/^#/, "");
    return this.channels.get(key) ?? [...this.channels.values()].find((channel) => channel.name === key);
  }

  /** Like `find`, but a method call naming an unknown channel is answered `channel_not_found`. */
  require(nameOrId: unknown): Channel {
    const channel = typeof nameOrId === "string" ? this.find(nameOrId) : undefined;
    if (!channel) throw new SlackMethodError("channel_not_found");
    return channel;
  }

  /**
   * Like `require`, for the methods Slack answers only by channel id (`chat.update`,
   * `files.completeUploadExternal`): a name, even of a channel that exists, is `channel_not_found` there.
   */
  requireId(id: unknown): Channel {
    const channel = typeof id === "string" ? this.channels.get(id) : undefined;
    if (!channel) throw new SlackMethodError("channel_not_found");
    return channel;
  }

  /** A read-only view of the channel, for tests and the HTML view. Throws `UnknownChannelError`. */
  view(nameOrId: string): SlackChannelView {
    const channel = this.find(nameOrId);
    if (!channel) throw new UnknownChannelError(nameOrId);
    return {
      id: channel.id,
      name: channel.name,
      messages: channel.messages.filter((m) => m.thread_ts === undefined || m.broadcast).map(snapshotOf),
      thread: (ts) => channel.messages.filter((m) => m.thread_ts === ts).map(snapshotOf),
    };
  }

  /** Every channel, in the order they were added. */
  list(): SlackChannelView[] {
    return [...this.channels.keys()].map((id) => this.view(id));
  }

  /** Slack timestamps: epoch seconds with six digits of micros, strictly increasing within the workspace. */
  nextTs(): string {
    const micros = Math.max(this.now() * 1000, this.lastMicros + 1);
    this.lastMicros = micros;
    return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, "0")}`;
  }

  /** Posts a message (a reply when `threadTs` is set: its parent must exist, `thread_not_found` otherwise). */
  post(
    channel: Channel,
    message: { text: string; blocks?: Record<string, unknown>[]; threadTs?: string; broadcast?: boolean },
    extra: { files?: SlackFile[]; subtype?: string } = {},
  ): SlackMessage {
    let threadTs = message.threadTs || undefined;
    if (threadTs !== undefined) {
      const parent = channel.messages.find((m) => m.ts === threadTs);
      if (!parent) throw new SlackMethodError("thread_not_found");
      // Slack threads are one level deep: replying to a reply lands in the parent's thread.
      threadTs = parent.thread_ts ?? parent.ts;
    }
    const stored: MutableMessage = {
      ts: this.nextTs(),
      thread_ts: threadTs,
      text: message.text,
      blocks: message.blocks,
      files: extra.files ?? [],
      edits: [],
      subtype: extra.subtype,
      user: this.botUserId,
      broadcast: message.broadcast === true,
    };
    channel.messages.push(stored);
    return snapshotOf(stored);
  }

  /** Replaces a message's text and blocks, keeping the earlier version in `edits`. */
  update(
    channel: Channel,
    ts: unknown,
    next: { text: string; blocks?: Record<string, unknown>[] },
  ): SlackMessage {
    const message = channel.messages.find((m) => m.ts === ts);
    if (!message) throw new SlackMethodError("message_not_found");
    if (message.user !== this.botUserId) throw new SlackMethodError("cant_update_message");
    message.edits.push({ text: message.text, blocks: message.blocks, replacedAt: this.nextTs() });
    message.text = next.text;
    message.blocks = next.blocks;
    return snapshotOf(message);
  }

  /** Registers a file about to be uploaded; returns its id. */
  reserveFile(name: string, length: number, altText: string | undefined): string {
    const id = `F0SANDBOX${String(++this.fileSeq).padStart(4, "0")}`;
    this.pending.set(id, { id, name, length, altText, content: undefined });
    return id;
  }

  /** Stores an upload's bytes; false for an id that was never reserved. */
  receiveUpload(id: string, content: Buffer): boolean {
    const file = this.pending.get(id);
    if (!file) return false;
    file.content = content;
    return true;
  }

  /** Completes uploads (`file_not_found` for unknown or not yet uploaded ids) and returns the files. */
  completeFiles(files: readonly { id: string; title?: string }[]): SlackFile[] {
    return files.map(({ id, title }) => {
      const file = this.pending.get(id);
      if (!file?.content) throw new SlackMethodError("file_not_found");
      return {
        id,
        name: file.name,
        title: title ?? file.name,
        mimetype: mimetypeOf(file.name),
        size: file.content.length,
        altText: file.altText,
        content: file.content,
      };
    });
  }

  /** A completed file's bytes and type (the HTML view serves images from it), or undefined. */
  fileContent(id: string): { content: Buffer; mimetype: string } | undefined {
    const file = this.pending.get(id);
    return file?.content ? { content: file.content, mimetype: mimetypeOf(file.name) } : undefined;
  }
}

function snapshotOf(m: MutableMessage): SlackMessage {
  const { ts, thread_ts, text, blocks, subtype, user } = m;
  return { ts, thread_ts, text, blocks, files: [...m.files], edits: [...m.edits], subtype, user };
}

const MIME_TYPES: Readonly<Record<string, string>> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  txt: "text/plain",
  json: "application/json",
  csv: "text/csv",
};

function mimetypeOf(name: string): string {
  return MIME_TYPES[name.split(".").pop()?.toLowerCase() ?? ""] ?? "application/octet-stream";
}
