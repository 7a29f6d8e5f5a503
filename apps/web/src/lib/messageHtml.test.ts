import { describe, expect, it } from "vitest";
import { cachedHtml, loadMarkdown, messageHtml, plainHtml, rememberHtml } from "./messageHtml";

describe("message HTML", () => {
  it("before markdown-it loads: the tail's cached HTML, else the escaped text", async () => {
    expect(plainHtml('a <b> & "c"\nnext\n\npara')).toBe(
      "<p>a &lt;b&gt; &amp; &quot;c&quot;<br>next</p><p>para</p>",
    );
    rememberHtml("from the tail", "<p><strong>cached</strong></p>");
    expect(messageHtml("from the tail", new Set())).toBe("<p><strong>cached</strong></p>");
    expect(messageHtml("**not yet**", new Set())).toBe("<p>**not yet**</p>");
    expect(cachedHtml("**not yet**")).toBeUndefined();

    await loadMarkdown();
    expect(messageHtml("**now** @bob", new Set(["bob"]))).toContain("<strong>now</strong>");
    expect(cachedHtml("**now** @bob")).toContain('class="mention"');
    // More people known: cached HTML is rendered again, so a new name can become a chip.
    rememberHtml("hi @carol", "<p>hi @carol</p>");
    expect(messageHtml("hi @carol", new Set(["bob", "carol"]))).toContain('data-username="carol"');
  });

  it("never lets the reader's browser fetch an image from elsewhere, even from an older tail's HTML", async () => {
    await loadMarkdown();
    const text = "look ![chart](https://tracker.example/pixel.png?who=me)";
    rememberHtml(text, '<p>look <img src="https://tracker.example/pixel.png?who=me" alt="chart"></p>');
    const html = messageHtml(text, new Set());
    expect(html).not.toContain("<img");
    expect(html).toContain('<a href="https://tracker.example/pixel.png?who=me"');
    expect(html).toContain(">chart</a>");
  });
});
