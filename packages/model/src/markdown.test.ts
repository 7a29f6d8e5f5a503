import { describe, expect, it } from "vitest";
import { renderMarkdown } from "./markdown.ts";

describe("renderMarkdown", () => {
  it("highlights a fenced block in a language it knows, leaves others plain, and gives each a Copy button", () => {
    const ts = renderMarkdown("```ts\nconst answer: number = 42; // <b>\n```");
    expect(ts).toContain('<span class="hljs-keyword">const</span>');
    expect(ts).toContain('<code class="language-ts">');
    expect(ts).toContain("&lt;b&gt;");
    expect(ts).not.toContain("<b>");
    expect(ts).toContain('<button type="button" class="copy-code" aria-label="Copy code">Copy</button>');
    const unknown = renderMarkdown("```klingon\nqaStaH nuq? <script>\n```");
    expect(unknown).not.toContain("hljs");
    expect(unknown).toContain("qaStaH nuq? &lt;script&gt;");
    expect(unknown).toContain('class="copy-code"');
    // The fence's tag is text too.
    expect(renderMarkdown('```"><img src=x onerror=alert(1)>\nx\n```')).not.toContain("<img");
    // Inline code is not a block: no button.
    expect(renderMarkdown("run `npm ci` first")).not.toContain("copy-code");
  });

  it("renders Markdown and keeps raw HTML as text", () => {
    expect(renderMarkdown("**bold** _it_ `code`")).toBe(
      "<p><strong>bold</strong> <em>it</em> <code>code</code></p>\n",
    );
    const html = renderMarkdown('<img src=x onerror="alert(1)"> <script>x</script>');
    expect(html).not.toMatch(/<img|<script/);
    expect(html).toContain("&lt;img");
  });
  it("opens http(s) and mailto links in a new tab without an opener, and drops other schemes", () => {
    expect(renderMarkdown("[site](https://example.com)")).toBe(
      '<p><a href="https://example.com" target="_blank" rel="noopener noreferrer">site</a></p>\n',
    );
    expect(renderMarkdown("see https://example.com/x")).toContain(
      'href="https://example.com/x" target="_blank"',
    );
    expect(renderMarkdown("[mail](mailto:a@b.c)")).toContain('href="mailto:a@b.c"');
    for (const evil of [
      "[x](javascript:alert(1))",
      "[x](data:text/html,hi)",
      "[x](vbscript:x)",
      "[x]( JAVASCRIPT:alert(1))",
    ])
      expect(renderMarkdown(evil), evil).not.toContain("<a");
  });
  it("turns an image from elsewhere into a link, so the reader's browser never fetches it", () => {
    expect(renderMarkdown("![the chart](https://tracker.example/pixel.png)")).toBe(
      '<p><a href="https://tracker.example/pixel.png" target="_blank" rel="noopener noreferrer">the chart</a></p>\n',
    );
    // No alt text: the address is the label. A title stays a title.
    expect(renderMarkdown('![](https://example.com/a.png "A")')).toBe(
      '<p><a href="https://example.com/a.png" title="A" target="_blank" rel="noopener noreferrer">https://example.com/a.png</a></p>\n',
    );
    // An image inside a link: the label only, never an <a> inside an <a>.
    const linked = renderMarkdown("[![logo](https://example.com/logo.png)](https://example.com)");
    expect(linked).toBe(
      '<p><a href="https://example.com" target="_blank" rel="noopener noreferrer">logo</a></p>\n',
    );
    for (const text of [
      "![x](https://e.com/x.png)",
      '![<b>"](https://e.com/x.png)',
      "![x](javascript:alert(1))",
    ])
      expect(renderMarkdown(text), text).not.toMatch(/<img|<b>/);
  });
  it("marks mentions of known people only, never inside code or links", () => {
    const known = new Set(["bob"]);
    expect(renderMarkdown("hey @bob and @nobody", known)).toBe(
      '<p>hey <span class="mention" data-username="bob">@bob</span> and @nobody</p>\n',
    );
    expect(renderMarkdown("`@bob` [@bob](https://x.y)", known)).not.toContain("mention");
  });
  it("keeps line breaks as typed", () => {
    expect(renderMarkdown("one\ntwo")).toBe("<p>one<br>\ntwo</p>\n");
  });
});
