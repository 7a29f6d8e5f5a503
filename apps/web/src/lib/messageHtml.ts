import type { renderMarkdown as RenderMarkdown } from "@chat/model/markdown";
import { createSignal } from "solid-js";

/**
 * Message Markdown as HTML, with markdown-it loaded lazily. markdown-it and its helpers are close to
 * a third of the app's JavaScript; compiling them before the first screen would delay every cold
 * start, so they come in their own chunk, asked for right after the first render (`loadMarkdown`).
 *
 * Until the renderer is there, a message shows the HTML cached with its room's tail (device/roomTail.ts:
 * the same text gave this HTML last time; it is this origin's own storage, so trusting it is no wider
 * than trusting the app's code), or else its text as plain paragraphs; once loaded, new
 * texts are rendered and remembered, so switching from the cached tail to the segment's own
 * messages renders nothing twice.
 */
type Render = typeof RenderMarkdown;

const [renderer, setRenderer] = createSignal<Render | null>(null);
let loading: Promise<Render> | null = null;

export function loadMarkdown(): Promise<Render> {
  loading ??= import("@chat/model/markdown").then(({ renderMarkdown }) => {
    setRenderer(() => renderMarkdown);
    return renderMarkdown;
  });
  return loading;
}

/** Rendered HTML by message text; the oldest entries go first past CACHE_LIMIT. */
const CACHE_LIMIT = 2_000;
const cache = new Map<string, string>();
/** How many usernames the cached HTML was rendered with: a mention chip needs a known name. */
let renderedWithUsernames = -1;

function remember(text: string, html: string): void {
  cache.set(text, html);
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value!);
}

/** HTML for a message's text (reactive: a plain rendering is replaced once markdown-it is loaded). */
export function messageHtml(text: string, usernames: ReadonlySet<string>): string {
  const render = renderer();
  if (render && usernames.size !== renderedWithUsernames) {
    // Someone joined (or the directory just loaded): mentions of them become chips from now on.
    if (renderedWithUsernames !== -1) cache.clear();
    renderedWithUsernames = usernames.size;
  }
  const cached = cache.get(text);
  if (cached !== undefined) return cached;
  if (!render) return plainHtml(text);
  const html = render(text, usernames);
  remember(text, html);
  return html;
}

/** What `messageHtml` has for this text, for storing with a room's tail (undefined if not rendered). */
export function cachedHtml(text: string): string | undefined {
  return cache.get(text);
}

/**
 * HTML to store with a tail written in the background (the room is not on screen): rendered now if
 * markdown-it is loaded, else none (the room renders it when shown).
 */
export function htmlForStorage(text: string, usernames: ReadonlySet<string>): string | undefined {
  return renderer() ? messageHtml(text, usernames) : cache.get(text);
}

/**
 * HTML stored with a room's tail, usable before markdown-it is loaded. HTML with an image in it was
 * stored by an older version, which let Markdown images load from anywhere: it is rendered again
 * instead (images from elsewhere are links now, see model markdown.ts).
 */
export function rememberHtml(text: string, html: string): void {
  if (!cache.has(text) && !/<img\b/i.test(html)) remember(text, html);
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** The text itself, escaped, in paragraphs with its line breaks: what shows for a moment before markdown-it. */
export function plainHtml(text: string): string {
  const escaped = text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
  return escaped
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${paragraph.replace(/\n/g, "<br>")}</p>`)
    .join("");
}
