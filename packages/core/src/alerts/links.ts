/**
 * AWS console links. Names are percent-encoded, so a link can never be split open by what an alarm or log
 * group is called; the console reads the region from the URL.
 */

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
