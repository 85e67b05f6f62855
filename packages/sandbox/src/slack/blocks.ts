import { SlackMethodError } from "./errors.js";

/** Slack's documented limits that the local server enforces. */
export const SlackLimits = {
  /** `text` longer than this is refused with `msg_too_long`. */
  maxTextLength: 40_000,
  /** A message carries at most 50 blocks. */
  maxBlocks: 50,
  /** A section's `text.text` and a markdown block's text. */
  maxSectionText: 3_000,
  maxSectionFieldText: 2_000,
  maxSectionFields: 10,
  maxHeaderText: 150,
  maxContextElements: 10,
} as const;

const KNOWN_BLOCK_TYPES = new Set([
  "actions",
  "context",
  "divider",
  "file",
  "header",
  "image",
  "input",
  "markdown",
  "rich_text",
  "section",
  "video",
]);

type Json = Record<string, unknown>;

function textOf(value: unknown): string | undefined {
  return typeof value === "object" && value !== null && typeof (value as Json).text === "string"
    ? ((value as Json).text as string)
    : undefined;
}

/** Problems of one block, in Slack's `[ERROR] ... [json-pointer:/blocks/i/...]` style. */
function blockProblems(block: unknown, i: number): string[] {
  const at = (path: string): string => `[json-pointer:/blocks/${i}${path}]`;
  if (typeof block !== "object" || block === null) return [`[ERROR] must be an object ${at("")}`];
  const b = block as Json;
  if (typeof b.type !== "string" || !KNOWN_BLOCK_TYPES.has(b.type)) {
    return [`[ERROR] unsupported type: ${String(b.type)} ${at("/type")}`];
  }
  const problems: string[] = [];
  const text = textOf(b.text);
  // A text object's text is 1 to 3,000 characters (Slack's composition-object reference): "" is refused.
  const empty = (value: string | undefined, path: string): void => {
    if (value === "") problems.push(`[ERROR] must be more than 0 characters ${at(path)}`);
  };
  empty(text, "/text/text");
  switch (b.type) {
    case "section": {
      const fields = Array.isArray(b.fields) ? b.fields : undefined;
      if (text === undefined && !fields) problems.push(`[ERROR] must provide text or fields ${at("")}`);
      if (text !== undefined && text.length > SlackLimits.maxSectionText)
        problems.push(
          `[ERROR] must be less than ${SlackLimits.maxSectionText + 1} characters ${at("/text/text")}`,
        );
      if (fields && fields.length > SlackLimits.maxSectionFields)
        problems.push(`[ERROR] must provide at most ${SlackLimits.maxSectionFields} items ${at("/fields")}`);
      fields?.forEach((field, f) => {
        empty(textOf(field), `/fields/${f}/text`);
        if ((textOf(field) ?? "").length > SlackLimits.maxSectionFieldText)
          problems.push(
            `[ERROR] must be less than ${SlackLimits.maxSectionFieldText + 1} characters ${at(`/fields/${f}/text`)}`,
          );
      });
      break;
    }
    case "header":
      if (text === undefined) problems.push(`[ERROR] missing required field: text ${at("")}`);
      else if (text.length > SlackLimits.maxHeaderText)
        problems.push(
          `[ERROR] must be less than ${SlackLimits.maxHeaderText + 1} characters ${at("/text/text")}`,
        );
      break;
    case "context": {
      const elements = Array.isArray(b.elements) ? b.elements : [];
      if (elements.length === 0 || elements.length > SlackLimits.maxContextElements)
        problems.push(
          `[ERROR] must provide 1 to ${SlackLimits.maxContextElements} elements ${at("/elements")}`,
        );
      elements.forEach((element, e) => {
        if (typeof element === "object" && element !== null && "type" in element && element.type !== "image")
          empty(textOf(element), `/elements/${e}/text`);
      });
      break;
    }
    case "image":
      if (typeof b.image_url !== "string" && typeof b.slack_file !== "object")
        problems.push(`[ERROR] missing required field: image_url ${at("")}`);
      if (typeof b.alt_text !== "string") problems.push(`[ERROR] missing required field: alt_text ${at("")}`);
      break;
    case "markdown":
      if (typeof b.text !== "string") problems.push(`[ERROR] missing required field: text ${at("")}`);
      break;
  }
  return problems;
}

/**
 * Parses and checks `blocks` as Slack does: a JSON array (form bodies carry it as a JSON string) of at most
 * 50 known blocks within their text limits. Throws `invalid_blocks_format` / `invalid_blocks`.
 */
export function checkBlocks(raw: unknown): Json[] | undefined {
  if (raw === undefined || raw === null || raw === "") return undefined;
  let blocks: unknown = raw;
  if (typeof raw === "string") {
    try {
      blocks = JSON.parse(raw);
    } catch (error) {
      throw new SlackMethodError("invalid_blocks_format", ["[ERROR] blocks is not valid JSON"], {
        cause: error,
      });
    }
  }
  if (!Array.isArray(blocks))
    throw new SlackMethodError("invalid_blocks_format", ["[ERROR] must be an array"]);
  const problems =
    blocks.length > SlackLimits.maxBlocks
      ? [`[ERROR] no more than ${SlackLimits.maxBlocks} items allowed [json-pointer:/blocks]`]
      : blocks.flatMap(blockProblems);
  if (problems.length > 0) throw new SlackMethodError("invalid_blocks", problems);
  return blocks as Json[];
}

/** `no_text` when a message has neither text nor blocks, `msg_too_long` past 40,000 characters. */
export function checkText(text: unknown, blocks: readonly unknown[] | undefined): string {
  const value = typeof text === "string" ? text : "";
  if (value === "" && !blocks?.length) throw new SlackMethodError("no_text");
  if (value.length > SlackLimits.maxTextLength) throw new SlackMethodError("msg_too_long");
  return value;
}
