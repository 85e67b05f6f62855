import type { MrkdwnText, PlainText, SlackBlock, SlackMessage } from "./blocks.js";

/** Slack's documented Block Kit limits (a message over any of them is rejected with `invalid_blocks`). */
export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3000,
  sectionField: 2000,
  sectionFields: 10,
  headerText: 150,
  contextElements: 10,
  /** `chat.postMessage` truncates `text` beyond this; clawops also caps the blocks' text in total. */
  messageText: 40_000,
} as const;

/** Appended where text was cut, so a reader knows something is missing. */
export const TRUNCATION_MARKER = "…(truncated)";

/**
 * Cuts mrkdwn to at most `max` characters, marker included, without breaking what Slack parses: never
 * inside an entity (`&amp;`), a link or mention (`<...>`) or a surrogate pair, and closing a code block
 * that the cut left open.
 */
export function truncateMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  const closeFence = "```";
  let cut = text.slice(0, Math.max(0, max - TRUNCATION_MARKER.length - closeFence.length));
  const amp = cut.lastIndexOf("&");
  if (amp !== -1 && !cut.slice(amp).includes(";")) cut = cut.slice(0, amp);
  const open = cut.lastIndexOf("<");
  if (open !== -1 && !cut.slice(open).includes(">")) cut = cut.slice(0, open);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  const fences = cut.split(closeFence).length - 1;
  return fences % 2 === 1 ? `${cut}${closeFence}${TRUNCATION_MARKER}` : `${cut}${TRUNCATION_MARKER}`;
}

/** Cuts plain text to at most `max` characters, marker included. */
export function truncatePlain(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - TRUNCATION_MARKER.length));
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}${TRUNCATION_MARKER}`;
}

function fitText<T extends MrkdwnText | PlainText>(object: T, max: number): T {
  const text = object.type === "mrkdwn" ? truncateMrkdwn(object.text, max) : truncatePlain(object.text, max);
  return text === object.text ? object : { ...object, text };
}

function fitBlock(block: SlackBlock): SlackBlock {
  switch (block.type) {
    case "header":
      return { ...block, text: fitText(block.text, SLACK_LIMITS.headerText) };
    case "section":
      return {
        ...block,
        ...(block.text ? { text: fitText(block.text, SLACK_LIMITS.sectionText) } : {}),
        ...(block.fields
          ? {
              fields: block.fields
                .slice(0, SLACK_LIMITS.sectionFields)
                .map((field) => fitText(field, SLACK_LIMITS.sectionField)),
            }
          : {}),
      };
    case "context":
      return {
        ...block,
        elements: block.elements
          .slice(0, SLACK_LIMITS.contextElements)
          .map((element) => fitText(element, SLACK_LIMITS.sectionText)),
      };
    case "divider":
      return block;
  }
}

/** Characters of text a block carries (what counts towards the message's total). */
export function blockTextLength(block: SlackBlock): number {
  switch (block.type) {
    case "header":
      return block.text.text.length;
    case "section":
      return (block.text?.text.length ?? 0) + (block.fields ?? []).reduce((n, f) => n + f.text.length, 0);
    case "context":
      return block.elements.reduce((n, element) => n + element.text.length, 0);
    case "divider":
      return 0;
  }
}

function omittedNotice(count: number): SlackBlock {
  return {
    type: "context",
    elements: [{ type: "mrkdwn", text: `${TRUNCATION_MARKER} ${count} more block(s) not shown` }],
  };
}

/**
 * Makes a message fit Slack's limits: each text object cut to its limit, at most 50 blocks and 40,000
 * characters of block text in total (the blocks that do not fit are replaced by one notice saying how
 * many were left out), and the fallback `text` cut to 40,000.
 */
export function fitMessage(message: SlackMessage): SlackMessage {
  const fitted = message.blocks.map(fitBlock);
  const text = truncateMrkdwn(message.text, SLACK_LIMITS.messageText);
  const total = fitted.reduce((n, block) => n + blockTextLength(block), 0);
  if (fitted.length <= SLACK_LIMITS.blocksPerMessage && total <= SLACK_LIMITS.messageText) {
    return { ...message, text, blocks: fitted };
  }
  const budget = SLACK_LIMITS.messageText - 100; // room for the notice
  const kept: SlackBlock[] = [];
  let used = 0;
  for (const block of fitted) {
    const length = blockTextLength(block);
    if (kept.length >= SLACK_LIMITS.blocksPerMessage - 1 || used + length > budget) break;
    kept.push(block);
    used += length;
  }
  return { ...message, text, blocks: [...kept, omittedNotice(fitted.length - kept.length)] };
}
