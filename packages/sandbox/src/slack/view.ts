import type { SlackChannelView, SlackMessage } from "./workspace.js";

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

type Block = Record<string, unknown>;

function textOf(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null && typeof (value as Block).text === "string") {
    return (value as Block).text as string;
  }
  return "";
}

/** One block as plain lines: what a reader needs to check a message, not Slack's styling. */
function blockLines(block: Block): string[] {
  switch (block.type) {
    case "divider":
      return ["―――"];
    case "context":
      return [(Array.isArray(block.elements) ? block.elements : []).map(textOf).filter(Boolean).join(" · ")];
    case "image":
      return [`[image: ${textOf(block.alt_text)}]`];
    case "section": {
      const fields = Array.isArray(block.fields) ? block.fields.map(textOf) : [];
      return [textOf(block.text), ...fields].filter((line) => line !== "");
    }
    default:
      return [textOf(block.text) || `[${String(block.type)} block]`];
  }
}

function renderMessage(message: SlackMessage): string {
  const lines = message.blocks?.length ? message.blocks.flatMap(blockLines) : [message.text];
  const body = lines.map((line) => `<div class="line">${escapeHtml(line)}</div>`).join("");
  const files = message.files
    .map((file) => {
      const href = `/files/${encodeURIComponent(file.id)}`;
      const label = escapeHtml(`${file.title} (${file.size} bytes)`);
      const image = file.mimetype.startsWith("image/")
        ? `<img src="${href}" alt="${escapeHtml(file.altText ?? file.title)}">`
        : "";
      return `<div class="file"><a href="${href}">${label}</a>${image}</div>`;
    })
    .join("");
  const edited =
    message.edits.length > 0 ? ` <span class="edited">(edited ${message.edits.length}×)</span>` : "";
  return `<div class="ts">${escapeHtml(message.ts)}${edited}</div>${body}${files}`;
}

function renderChannel(channel: SlackChannelView): string {
  const messages = channel.messages
    .map((message) => {
      const replies = channel
        .thread(message.ts)
        .map((reply) => `<li class="reply">${renderMessage(reply)}</li>`)
        .join("");
      const thread = replies ? `<ul class="thread">${replies}</ul>` : "";
      return `<li class="message">${renderMessage(message)}${thread}</li>`;
    })
    .join("");
  const empty = channel.messages.length === 0 ? `<p class="empty">No messages yet.</p>` : "";
  return `<section><h2>#${escapeHtml(channel.name)} <small>${escapeHtml(channel.id)}</small></h2>${empty}<ul>${messages}</ul></section>`;
}

/**
 * A plain read-only HTML page of what each channel shows, threads nested under their parent, files linked and
 * images inline. Every piece of text is escaped; the page refreshes itself every 2 seconds and runs no script.
 */
export function renderSlackView(channels: readonly SlackChannelView[], team: string): string {
  return [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta http-equiv="refresh" content="2">',
    `<title>${escapeHtml(team)}: local Slack</title>`,
    "<style>body{font:14px system-ui,sans-serif;max-width:60rem;margin:2rem auto;color:#1d1c1d}",
    "section{border-top:1px solid #ddd;margin-top:1.5rem}ul{list-style:none;padding-left:0}",
    ".message{margin:.75rem 0}.thread{margin-left:2rem;border-left:3px solid #ddd;padding-left:.75rem}",
    ".ts,.edited,small{color:#616061;font-size:12px}.line{white-space:pre-wrap}img{max-width:100%;display:block}",
    "</style></head><body>",
    `<h1>${escapeHtml(team)}: what Slack would show</h1>`,
    "<p>Read-only view of the local Slack-compatible server. Messages come from clawops' real Slack client.</p>",
    ...channels.map(renderChannel),
    "</body></html>",
  ].join("\n");
}
