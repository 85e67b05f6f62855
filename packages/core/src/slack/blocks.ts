import type { Mrkdwn } from "./escape.js";

/** A `mrkdwn` text object. Its text must come from the escaping builders (`md`, `plain`, `link`...). */
export interface MrkdwnText {
  readonly type: "mrkdwn";
  readonly text: string;
}

/** A `plain_text` text object: Slack shows it as written and parses no mentions or links in it. */
export interface PlainText {
  readonly type: "plain_text";
  readonly text: string;
  readonly emoji?: boolean;
}

/** The Block Kit blocks clawops messages use. */
export type SlackBlock =
  | { readonly type: "header"; readonly text: PlainText }
  | { readonly type: "section"; readonly text?: MrkdwnText; readonly fields?: readonly MrkdwnText[] }
  | { readonly type: "context"; readonly elements: readonly (MrkdwnText | PlainText)[] }
  | { readonly type: "divider" };

/**
 * A message ready for `chat.postMessage` / `chat.update`: `text` is the notification and fallback text
 * (mrkdwn, escaped like the blocks), `color` the attachment bar that shows the state.
 */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly SlackBlock[];
  /** Hex colour of the state bar, e.g. `#d93f0b` for ALARM. */
  readonly color?: string;
}

/** A header block; plain text, so nothing in it is parsed. */
export function header(text: string): SlackBlock {
  return { type: "header", text: { type: "plain_text", text, emoji: true } };
}

/** A section of mrkdwn text, optionally with up to ten two-column fields. */
export function section(text?: Mrkdwn, fields?: readonly Mrkdwn[]): SlackBlock {
  return {
    type: "section",
    ...(text ? { text: { type: "mrkdwn", text: text.text } } : {}),
    ...(fields && fields.length > 0
      ? { fields: fields.map((field) => ({ type: "mrkdwn" as const, text: field.text })) }
      : {}),
  };
}

/** A context block (small grey text) of mrkdwn elements. */
export function context(...elements: readonly Mrkdwn[]): SlackBlock {
  return { type: "context", elements: elements.map((element) => ({ type: "mrkdwn", text: element.text })) };
}

/** A divider. */
export function divider(): SlackBlock {
  return { type: "divider" };
}
