import type { MrkdwnText, PlainText, SlackBlock, SlackMessage } from "../slack/index.js";

/** A text object as sent: mrkdwn ones with `verbatim: true`. */
export type SentText = PlainText | (MrkdwnText & { readonly verbatim: true });

/** A block as sent to `chat.postMessage` / `chat.update`. */
export type SentBlock =
  | { readonly type: "header"; readonly text: PlainText }
  | { readonly type: "section"; readonly text?: SentText; readonly fields?: readonly SentText[] }
  | { readonly type: "context"; readonly elements: readonly SentText[] }
  | { readonly type: "divider" };

function sent(text: MrkdwnText | PlainText): SentText {
  return text.type === "mrkdwn" ? { ...text, verbatim: true } : text;
}

const filled = (text: { readonly text: string } | undefined): boolean => (text?.text.length ?? 0) > 0;

function sentBlock(block: SlackBlock): SentBlock | undefined {
  switch (block.type) {
    case "header":
      return filled(block.text) ? block : undefined;
    case "section": {
      const text = block.text && filled(block.text) ? sent(block.text) : undefined;
      const fields = (block.fields ?? []).filter(filled).map(sent);
      if (!text && fields.length === 0) return undefined;
      return { type: "section", ...(text ? { text } : {}), ...(fields.length ? { fields } : {}) };
    }
    case "context": {
      const elements = block.elements.filter(filled).map(sent);
      return elements.length ? { type: "context", elements } : undefined;
    }
    case "divider":
      return block;
  }
}

/**
 * A message's blocks as they leave for Slack. Every mrkdwn text object is `verbatim: true`: Slack then
 * auto-parses nothing in it (with `verbatim: false`, "certain mentions will be automatically parsed", so
 * an alarm description saying `@channel` or `#general` could become a ping or a channel link). clawops' own
 * mentions are written in Slack's explicit syntax (`<!subteam^S0123>`, `<@U0123>`), which verbatim text
 * still shows as mentions. Verbatim text is not auto-linked either: the URLs in alarm descriptions and
 * reasons are rendered as explicit links (`linkedUrls`). A text object with no text is left out (a section, context or header left with
 * nothing is dropped): Slack refuses text objects shorter than one character (`invalid_blocks`), and would
 * refuse every transition of the alarm.
 */
export function slackBlocks(message: SlackMessage): SentBlock[] {
  return message.blocks.flatMap((block) => sentBlock(block) ?? []);
}
