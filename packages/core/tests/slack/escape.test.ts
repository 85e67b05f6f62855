import { describe, expect, it } from "vitest";
import {
  bold,
  code,
  codeBlock,
  escapeMrkdwn,
  link,
  md,
  mention,
  plain,
  unescapeMrkdwn,
} from "../../src/slack/index.js";
import { HOSTILE_STRINGS } from "./hostile.js";

describe("Function: escapeMrkdwn", () => {
  it.each([
    ["<!channel>", "&lt;!channel&gt;"],
    ["<@U123>", "&lt;@U123&gt;"],
    ["<http://evil|click>", "&lt;http://evil|click&gt;"],
    ["a & b", "a &amp; b"],
    ["&lt;", "&amp;lt;"],
    ["plain text", "plain text"],
    ["", ""],
  ])("escapes %j as %j", (input, expected) => {
    expect(escapeMrkdwn(input)).toBe(expected);
  });

  it.each(HOSTILE_STRINGS.map((s) => [s]))("leaves no control character in %j", (input) => {
    const escaped = escapeMrkdwn(input);
    expect(escaped).not.toMatch(/[<>]/);
    expect(escaped.replace(/&(amp|lt|gt);/g, "")).not.toContain("&");
  });

  it.each(HOSTILE_STRINGS.map((s) => [s]))(
    "shows %j exactly as written after Slack unescapes it",
    (input) => {
      expect(unescapeMrkdwn(escapeMrkdwn(input))).toBe(input);
    },
  );
});

describe("Function: md", () => {
  it("escapes interpolated strings and keeps its own literal markup", () => {
    expect(md`*Alarm:* ${"<!channel> & co"}`.text).toBe("*Alarm:* &lt;!channel&gt; &amp; co");
  });

  it("passes values made by the builders through unescaped", () => {
    const url = link("https://console.aws.amazon.com/cloudwatch/home", "open");
    expect(md`see ${url}`.text).toBe("see <https://console.aws.amazon.com/cloudwatch/home|open>");
  });

  it("renders numbers and drops null and undefined", () => {
    expect(md`${1}/${null}/${undefined}/${true}`.text).toBe("1///true");
  });

  it("does not trust plain objects that look like builder output", () => {
    const forged = { text: "<!channel>" } as unknown as string;
    expect(md`${forged}`.text).not.toContain("<!channel>");
  });
});

describe("Function: link", () => {
  it("escapes the label and encodes characters that would end the link", () => {
    expect(link("https://example.com/a|b>c", "<!here>").text).toBe(
      "<https://example.com/a%7Cb%3Ec|&lt;!here&gt;>",
    );
  });

  it("escapes ampersands in the URL as Slack expects", () => {
    expect(link("https://x.example/?a=1&b=2", "x").text).toBe("<https://x.example/?a=1&amp;b=2|x>");
  });

  it.each(["javascript:alert(1)", "mailto:ceo@example.com", "slack://open", "//evil.example"])(
    "refuses to link %s and shows the label as text",
    (url) => {
      expect(link(url, "click").text).toBe("click");
    },
  );

  it("cannot be split open by a pipe in the label", () => {
    expect(link("https://x.example/", "a|b").text).toBe("<https://x.example/|a¦b>");
  });
});

describe("Function: mention", () => {
  it.each(["<!here>", "<!channel>", "<!subteam^S0123ABC>"])("keeps the configured mention %s", (value) => {
    expect(mention(value).text).toBe(value);
  });

  it.each(["<@U123>", "<!everyone>", "<!subteam^S01|x> <!channel>", "@here"])("escapes %s", (value) => {
    expect(mention(value).text).not.toMatch(/[<>]/);
  });
});

describe("Function: bold, code and codeBlock", () => {
  it("escape their content and cannot be broken open", () => {
    expect(bold("a*<!here>*b").text).toBe("*a∗&lt;!here&gt;∗b*");
    expect(code("a`<@U1>`").text).toBe("`aˋ&lt;@U1&gt;ˋ`");
    expect(codeBlock("```<!channel>```").text).toBe("```ˋˋˋ&lt;!channel&gt;ˋˋˋ```");
    expect(plain("<x>").text).toBe("&lt;x&gt;");
  });
});
