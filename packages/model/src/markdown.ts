import MarkdownItCallable, { type MarkdownIt, type StateCore, type Token } from "markdown-it";
import { highlightCode } from "./codeHighlight.ts";
import { trimMentionName } from "./mentions.ts";

/**
 * Markdown for chat messages: CommonMark plus autolinks and hard line breaks, raw HTML off, links
 * limited to http(s) and mailto and opened in a new tab without handing over `window.opener`.
 * "@name" becomes a mention chip when `name` is a known username. An image (`![alt](https://…)`)
 * becomes a link to it: loading it would tell its host who read the message and when, so only the
 * server's own attachments are ever shown inline (as attachments, not through Markdown).
 */
const SAFE_LINK = /^(https?:|mailto:)/i;

function createRenderer(): MarkdownIt {
  const md = new MarkdownItCallable({ html: false, linkify: true, breaks: true, typographer: false });
  md.validateLink = (url) => SAFE_LINK.test(url.trim());
  // Headings are too loud for chat; keep them as bold paragraphs would be in Slack. Tables stay.
  md.disable(["heading", "lheading"]);

  // A fenced block in a language we know is highlighted; every fenced block gets a Copy button (the
  // message list handles its clicks: this is HTML, inserted as it is).
  md.options.highlight = (code, language) => highlightCode(code, language) ?? "";
  const fence = md.renderer.rules.fence!;
  md.renderer.rules.fence = (tokens, idx, options, env, self) =>
    `<div class="code-block">${fence(tokens, idx, options, env, self)}<button type="button" class="copy-code" aria-label="Copy code">Copy</button></div>`;

  md.renderer.rules.link_open = (tokens, idx, options, _env, self) => {
    const token = tokens[idx]!;
    token.attrSet("target", "_blank");
    token.attrSet("rel", "noopener noreferrer");
    return self.renderToken(tokens, idx, options);
  };

  md.renderer.rules.image = (tokens, idx) => {
    const token = tokens[idx]!;
    const src = String(token.attrGet("src") ?? "");
    const label = String(md.renderer.renderInlineAsText(token.children ?? [], md.options, {}) || src);
    const title = token.attrGet("title")?.toString();
    const escapeHtml = md.utils.escapeHtml;
    // Inside a link (`[![logo](https://…/logo.png)](https://…)`) a second <a> would nest: the label alone.
    if (insideLink(tokens, idx)) return escapeHtml(label);
    return `<a href="${escapeHtml(src)}"${title ? ` title="${escapeHtml(title)}"` : ""} target="_blank" rel="noopener noreferrer">${escapeHtml(label)}</a>`;
  };

  md.core.ruler.push("mentions", (state: StateCore) => {
    const known = (state.env as { usernames?: ReadonlySet<string> } | undefined)?.usernames;
    for (const block of state.tokens) {
      if (block.type !== "inline" || !block.children) continue;
      let insideLink = 0;
      const out: Token[] = [];
      for (const token of block.children) {
        if (token.type === "link_open") insideLink++;
        if (token.type === "link_close") insideLink--;
        if (token.type !== "text" || insideLink > 0 || !token.content.includes("@")) {
          out.push(token);
          continue;
        }
        out.push(...splitMentions(state, token.content, known));
      }
      block.children = out;
    }
  });
  md.renderer.rules.mention = (tokens, idx) => {
    const name = (tokens[idx]!.meta as { username: string }).username;
    return `<span class="mention" data-username="${md.utils.escapeHtml(name)}">@${md.utils.escapeHtml(name)}</span>`;
  };
  return md;
}

function insideLink(tokens: readonly Token[], idx: number): boolean {
  let depth = 0;
  for (let i = 0; i < idx; i++) {
    if (tokens[i]!.type === "link_open") depth++;
    else if (tokens[i]!.type === "link_close") depth--;
  }
  return depth > 0;
}

const MENTION_IN_TEXT = /(^|[^\w@])@([a-z0-9][a-z0-9._-]{0,31})/gi;

function splitMentions(state: StateCore, text: string, known: ReadonlySet<string> | undefined): Token[] {
  const textToken = (content: string): Token => {
    const token = new state.Token("text", "", 0);
    token.content = content;
    return token;
  };
  const tokens: Token[] = [];
  let last = 0;
  for (const match of text.matchAll(MENTION_IN_TEXT)) {
    const name = trimMentionName(match[2]!);
    if (name.length < 2 || (known && !known.has(name))) continue;
    const start = match.index + match[1]!.length;
    if (start > last) tokens.push(textToken(text.slice(last, start)));
    const mention = new state.Token("mention", "", 0);
    mention.meta = { username: name };
    tokens.push(mention);
    last = start + 1 + name.length;
  }
  if (tokens.length === 0) return [textToken(text)];
  if (last < text.length) tokens.push(textToken(text.slice(last)));
  return tokens;
}

let renderer: MarkdownIt | null = null;

/**
 * Renders a message's Markdown to HTML that is safe to insert. `usernames`, when given, limits
 * mention chips to people who exist.
 */
export function renderMarkdown(text: string, usernames?: ReadonlySet<string>): string {
  renderer ??= createRenderer();
  return renderer.render(text, { usernames });
}
