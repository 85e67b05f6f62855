import { describe, expect, it } from "vitest";
import { alarmConsoleUrl, linkedUrls, logGroupConsoleUrl } from "../../src/alerts/links.js";

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

describe("Function: linkedUrls", () => {
  it.each([
    [
      "links a runbook URL, the sentence's full stop left out",
      "Runbook: https://wiki.example.com/runbooks/gateway.",
      "Runbook: <https://wiki.example.com/runbooks/gateway|https://wiki.example.com/runbooks/gateway>.",
    ],
    [
      "escapes & in the link and the text around it",
      "a & b, see http://wiki.example.com/r?a=1&b=2",
      "a &amp; b, see <http://wiki.example.com/r?a=1&amp;b=2|http://wiki.example.com/r?a=1&amp;b=2>",
    ],
    [
      "keeps the parentheses a URL has, not the one that closes the sentence",
      "(see https://en.example.org/wiki/Gate_(network)) or (https://wiki.example.com/x)",
      "(see <https://en.example.org/wiki/Gate_(network)|https://en.example.org/wiki/Gate_(network)>) or (<https://wiki.example.com/x|https://wiki.example.com/x>)",
    ],
    [
      "ends the URL at | so the text cannot put another label on the link",
      "https://evil.example|click here to re-authenticate",
      "<https://evil.example|https://evil.example>|click here to re-authenticate",
    ],
    [
      "ends the URL at < and > so nothing after it pings",
      "https://x.example/<!channel> https://y.example/>x",
      "<https://x.example/|https://x.example/>&lt;!channel&gt; <https://y.example/|https://y.example/>&gt;x",
    ],
    [
      "leaves an explicit Slack link the text spells out as escaped text around the URL",
      "<http://evil.example|AWS console>",
      "&lt;<http://evil.example|http://evil.example>|AWS console&gt;",
    ],
    [
      "links nothing in text without an http(s) URL",
      "ftp://x.example <!here>",
      "ftp://x.example &lt;!here&gt;",
    ],
    ["links no scheme with nothing after it", "https:// and http://|x", "https:// and http://|x"],
  ])("%s", (_, text, expected) => {
    expect(linkedUrls(text).text).toBe(expected);
  });

  it.each([
    "https://evil.example|<!channel>",
    "https://evil.example/<!channel>|x>",
    "https://a.example/x>|<!here>",
    "https://a.example/<@U0123ABCD>",
    "https://a.example/&lt;!channel&gt;",
  ])("never lets %j ping anyone or label a link with anything but its own URL", (hostile) => {
    const text = linkedUrls(hostile).text;
    const tokens = text.match(/<[^>]*>?/g) ?? [];
    for (const token of tokens) {
      const [target, label, ...rest] = token.slice(1, -1).split("|");
      expect({ token, label, rest }).toEqual({ token, label: target, rest: [] });
      expect(target).toMatch(/^https?:\/\/[^\s<>|]+$/);
    }
    expect(text).not.toMatch(/<[!@#]/);
  });
});
