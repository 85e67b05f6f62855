/**
 * Escaping at the boundary where text leaves for Slack. Slack's mrkdwn gives `&`, `<` and `>` a meaning
 * (`<!channel>`, `<@U123>`, `<http://x|label>`), and nothing else: escaping these three makes any string
 * inert, so an alarm name, description, reason or tag written by anyone who can call `PutMetricAlarm`
 * can never ping a channel or forge a link.
 */

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };

/**
 * Escapes text for Slack mrkdwn: `&` → `&amp;`, `<` → `&lt;`, `>` → `&gt;` (the three characters Slack
 * documents as control characters). Everything else is shown as written.
 *
 * @example escapeMrkdwn("<!channel> disk > 90%") // "&lt;!channel&gt; disk &gt; 90%"
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/[&<>]/g, (character) => ENTITIES[character] ?? character);
}

/** The inverse of `escapeMrkdwn` (what a Slack client displays for escaped text). */
export function unescapeMrkdwn(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

const SAFE = Symbol("clawops.mrkdwn");

/**
 * Text that is already valid, safe mrkdwn: produced by `md`, `link`, `mention` or `bold`/`code`, never by
 * wrapping an untrusted string. Only these values pass through `md` unescaped.
 */
export interface Mrkdwn {
  readonly [SAFE]: true;
  readonly text: string;
}

function trusted(text: string): Mrkdwn {
  return { [SAFE]: true, text };
}

/** True for values made by this module's builders. */
export function isMrkdwn(value: unknown): value is Mrkdwn {
  return typeof value === "object" && value !== null && (value as Mrkdwn)[SAFE] === true;
}

/** Anything `md` accepts: untrusted values are stringified and escaped; `Mrkdwn` values pass through. */
export type MrkdwnPart = Mrkdwn | string | number | boolean | null | undefined;

function render(part: MrkdwnPart): string {
  if (isMrkdwn(part)) return part.text;
  if (part === null || part === undefined) return "";
  return escapeMrkdwn(String(part));
}

/**
 * Tagged template for mrkdwn: the literal parts are written by clawops, every interpolated value is
 * escaped unless it is `Mrkdwn`.
 *
 * @example md`*Alarm:* ${alarmName} ${link(url, "open")}`
 */
export function md(strings: TemplateStringsArray, ...values: readonly MrkdwnPart[]): Mrkdwn {
  let text = strings[0] ?? "";
  values.forEach((value, index) => {
    text += render(value) + (strings[index + 1] ?? "");
  });
  return trusted(text);
}

/** Untrusted text as mrkdwn (escaped). */
export function plain(text: MrkdwnPart): Mrkdwn {
  return trusted(render(text));
}

/** Joins mrkdwn parts with a separator (escaped too when it is a string). */
export function joinMrkdwn(parts: readonly MrkdwnPart[], separator: MrkdwnPart = ""): Mrkdwn {
  return trusted(parts.map(render).join(render(separator)));
}

/** `*text*` (bold). Asterisks in the text are replaced so the emphasis cannot be broken open. */
export function bold(text: MrkdwnPart): Mrkdwn {
  return trusted(`*${render(text).replace(/\*/g, "∗")}*`);
}

/** `` `text` `` (inline code); backticks in the text become `ˋ` so the span stays closed. */
export function code(text: MrkdwnPart): Mrkdwn {
  const inner = render(text).replace(/`/g, "ˋ");
  return trusted(inner.length === 0 ? "" : `\`${inner}\``);
}

/** A fenced code block for multi-line output (probe output, file lists). */
export function codeBlock(text: MrkdwnPart): Mrkdwn {
  return trusted(`\`\`\`${render(text).replace(/```/g, "ˋˋˋ")}\`\`\``);
}

/**
 * A link `<url|label>`. Only http(s) URLs are linked; characters that would end the link early (`|`, `>`,
 * `<`, whitespace) are percent-encoded, and the label is escaped. Anything else is shown as escaped text.
 */
export function link(url: string, label: MrkdwnPart): Mrkdwn {
  if (!/^https?:\/\/[^\s]+$/i.test(url)) return plain(label);
  const safeUrl = url.replace(/[|<>\s"]/g, (c) => encodeURIComponent(c)).replace(/&/g, "&amp;");
  const text = render(label).replace(/\|/g, "¦");
  return trusted(`<${safeUrl}|${text || safeUrl}>`);
}

/**
 * A mention from configuration (`<!subteam^S0123>`, `<!here>`, `<!channel>`): the only way a mention gets
 * into a clawops message. Anything not of that exact form is rejected (escaped text).
 */
export function mention(value: string): Mrkdwn {
  return /^<!(subteam\^[A-Z0-9]+|here|channel)>$/.test(value) ? trusted(value) : plain(value);
}
