/**
 * Slack at the boundary: mrkdwn escaping and safe builders, the Block Kit subset clawops renders, and
 * Slack's message limits (truncation marked `…(truncated)`).
 */
export {
  context,
  divider,
  header,
  type MrkdwnText,
  type PlainText,
  type SlackBlock,
  type SlackMessage,
  section,
} from "./blocks.js";
export {
  bold,
  code,
  codeBlock,
  escapeMrkdwn,
  isMrkdwn,
  joinMrkdwn,
  link,
  type Mrkdwn,
  type MrkdwnPart,
  md,
  mention,
  plain,
  unescapeMrkdwn,
} from "./escape.js";
export {
  blockTextLength,
  fitMessage,
  SLACK_LIMITS,
  TRUNCATION_MARKER,
  truncateMrkdwn,
  truncatePlain,
} from "./limits.js";
