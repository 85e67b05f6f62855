import { describe, expect, it } from "vitest";
import { alarmConsoleUrl, logGroupConsoleUrl } from "../../src/alerts/links.js";

describe("Function: alarmConsoleUrl", () => {
  it.each([
    [
      "links the alarm in its region's console",
      "us-east-1",
      "clawops-prod-unhealthy-gateways",
      "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/clawops-prod-unhealthy-gateways",
    ],
    [
      "percent-encodes what would split the link open",
      "eu-west-1",
      "a|b <!channel>",
      "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/a%7Cb%20%3C!channel%3E",
    ],
    [
      "turns a lone surrogate into U+FFFD instead of throwing URIError",
      "us-east-1",
      "gateway-\uD800",
      "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/gateway-%EF%BF%BD",
    ],
    [
      "keeps a region that is not a region name out of the link's host",
      "evil.example/login?",
      "x",
      "https://console.aws.amazon.com/cloudwatch/home#alarmsV2:alarm/x",
    ],
    [
      "accepts the GovCloud region names",
      "us-gov-west-1",
      "x",
      "https://us-gov-west-1.console.aws.amazon.com/cloudwatch/home?region=us-gov-west-1#alarmsV2:alarm/x",
    ],
  ])("%s", (_case, region, name, url) => {
    expect(alarmConsoleUrl(region, name)).toBe(url);
  });
});

describe("Function: logGroupConsoleUrl", () => {
  it("encodes the log group name twice, as the console's fragment expects, lone surrogates included", () => {
    expect(logGroupConsoleUrl("us-east-1", "/clawops/\uDC00fleet")).toBe(
      "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:log-groups/log-group/%252Fclawops%252F%25EF%25BF%25BDfleet",
    );
  });
});
