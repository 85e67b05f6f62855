import { describe, expect, it } from "vitest";
import { startSlackServer } from "../../src/slack/server.js";
import { escapeHtml } from "../../src/slack/view.js";

describe("Function: renderSlackView", () => {
  it("serves the channels as a read-only page with every text escaped", async () => {
    const slack = await startSlackServer({ channels: { "ops-<alerts>": "C0ALERTS" } });
    try {
      const post = (body: Record<string, unknown>) =>
        fetch(`${slack.apiUrl}chat.postMessage`, {
          method: "POST",
          headers: { authorization: `Bearer ${slack.token}`, "content-type": "application/json" },
          body: JSON.stringify({ channel: "C0ALERTS", ...body }),
        }).then((response) => response.json() as Promise<{ ts: string }>);
      const parent = await post({ text: "<script>alert(1)</script> & co" });
      await post({
        text: "fallback",
        thread_ts: parent.ts,
        blocks: [{ type: "section", text: { type: "mrkdwn", text: '<img src=x onerror="alert(2)">' } }],
      });

      const response = await fetch(slack.url);
      const html = await response.text();

      expect(response.headers.get("content-type")).toContain("text/html");
      expect(html).not.toContain("<script>");
      expect(html).not.toContain("<img src=x");
      expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co");
      expect(html).toContain("&lt;img src=x onerror=&quot;alert(2)&quot;&gt;");
      expect(html).toContain("#ops-&lt;alerts&gt;");
    } finally {
      await slack.close();
    }
  });

  it.each([
    ["<b>", "&lt;b&gt;"],
    ["a & b", "a &amp; b"],
    [`"quoted" 'single'`, "&quot;quoted&quot; &#39;single&#39;"],
  ])("escapes %s", (text, expected) => {
    expect(escapeHtml(text)).toBe(expected);
  });
});
