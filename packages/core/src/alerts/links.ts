/**
 * AWS console links. Names are percent-encoded, so a link can never be split open by what an alarm or log
 * group is called; the console reads the region from the URL.
 */

function consoleBase(region: string): string {
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}`;
}

/** The alarm's page in the CloudWatch console. */
export function alarmConsoleUrl(region: string, alarmName: string): string {
  return `${consoleBase(region)}#alarmsV2:alarm/${encodeURIComponent(alarmName)}`;
}

/**
 * A log group's page. The console's fragment encodes names twice (`/` → `%252F`): it decodes once for the
 * route and once for the name.
 */
export function logGroupConsoleUrl(region: string, logGroupName: string): string {
  const twice = encodeURIComponent(encodeURIComponent(logGroupName));
  return `${consoleBase(region)}#logsV2:log-groups/log-group/${twice}`;
}

/** The alarm name in an alarm ARN (`arn:aws:cloudwatch:<region>:<account>:alarm:<name>`). */
export function alarmNameFromArn(arn: string): string {
  const marker = ":alarm:";
  const at = arn.indexOf(marker);
  return at === -1 ? arn : arn.slice(at + marker.length);
}
