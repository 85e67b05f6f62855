/**
 * AWS console links. Names are percent-encoded, so a link can never be split open by what an alarm or log
 * group is called; the console reads the region from the URL. And the http(s) URLs in text from AWS (an
 * alarm description's runbook), as explicit links.
 */
import { joinMrkdwn, link, type Mrkdwn, type MrkdwnPart } from "../slack/index.js";

/** An AWS region name (`us-east-1`, `ap-southeast-2`, `us-gov-west-1`). */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/**
 * The console's CloudWatch home. The region comes from the event: one that is not a region name (an event
 * no AWS service sent) must not pick the link's host, so it gets the console's global address instead.
 */
function consoleBase(region: string): string {
  if (!REGION.test(region)) return "https://console.aws.amazon.com/cloudwatch/home";
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}`;
}

/**
 * `encodeURIComponent` of any string: a lone surrogate (which no UTF-8 name can hold, but a JSON escape in an
 * event can) becomes U+FFFD instead of throwing `URIError` and losing the alert.
 */
function encodeName(name: string): string {
  return encodeURIComponent(
    name.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD"),
  );
}

/** The alarm's page in the CloudWatch console. */
export function alarmConsoleUrl(region: string, alarmName: string): string {
  return `${consoleBase(region)}#alarmsV2:alarm/${encodeName(alarmName)}`;
}

/**
 * A log group's page. The console's fragment encodes names twice (`/` → `%252F`): it decodes once for the
 * route and once for the name.
 */
export function logGroupConsoleUrl(region: string, logGroupName: string): string {
  const twice = encodeURIComponent(encodeName(logGroupName));
  return `${consoleBase(region)}#logsV2:log-groups/log-group/${twice}`;
}

/** The alarm name in an alarm ARN (`arn:aws:cloudwatch:<region>:<account>:alarm:<name>`). */
export function alarmNameFromArn(arn: string): string {
  const marker = ":alarm:";
  const at = arn.indexOf(marker);
  return at === -1 ? arn : arn.slice(at + marker.length);
}

/**
 * An http(s) URL in free text: it ends at whitespace and at what would end or split a Slack link (`<`, `>`,
 * `|`) or a quote; punctuation that ends the sentence (`.`, `,`, a `)` the URL does not open) is not part of it.
 */
const URL_IN_TEXT = /https?:\/\/[^\s<>|"'`]+/gi;

function trimUrl(url: string): string {
  let end = url.length;
  for (;;) {
    const last = url[end - 1] ?? "";
    const kept = url.slice(0, end);
    const unbalanced = last === ")" && kept.split(")").length > kept.split("(").length;
    if (!(".,;:!?".includes(last) || unbalanced) || end <= "https://".length) break;
    end -= 1;
  }
  return url.slice(0, end);
}

/**
 * Untrusted text (an alarm description, AWS's reason) as mrkdwn whose http(s) URLs are links `<url|url>`.
 * clawops sends mrkdwn `verbatim: true` (see `slackBlocks`), so Slack links nothing by itself; every other
 * character is escaped, and a link shows its own URL as its label, so the text can neither ping anyone nor
 * put a different label on a link.
 *
 * @example linkedUrls("Runbook: https://wiki.example.com/r?a=1&b=2.") // "Runbook: <https://wiki.example.com/r?a=1&amp;b=2|https://wiki.example.com/r?a=1&amp;b=2>."
 */
export function linkedUrls(text: string): Mrkdwn {
  const parts: MrkdwnPart[] = [];
  let from = 0;
  for (const match of text.matchAll(URL_IN_TEXT)) {
    const url = trimUrl(match[0]);
    parts.push(text.slice(from, match.index), link(url, url));
    from = match.index + url.length;
  }
  parts.push(text.slice(from));
  return joinMrkdwn(parts);
}
