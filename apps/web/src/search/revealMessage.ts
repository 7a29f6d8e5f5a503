import { createEffect, createSignal } from "solid-js";
import { search } from "../lib/router";

/**
 * Opening a room at a message (`/r/<id>?m=<messageId>`, as search results link): once that message is
 * in the log it is scrolled to the middle and highlighted for a moment. Waits for the message to
 * render (the room may still be loading), and does it once per request.
 */

/** The DOM id of a message's article. */
export const messageElementId = (messageId: string): string => `message-${messageId}`;

/** How long the highlight stays (matches the fade in search.css). */
const HIGHLIGHT_MS = 3_000;

const [requests, setRequests] = createSignal(0);

/** Reveals the message in the URL again (the same search hit chosen twice keeps the same URL). */
export function revealAgain(): void {
  setRequests((count) => count + 1);
}

export function revealRequestedMessage(
  log: () => HTMLElement,
  messages: () => readonly unknown[],
  onRevealed: () => void,
  /** Brings a message that is loaded but outside the rendered window into it. */
  ensureRendered?: (messageId: string) => boolean,
): void {
  // Bumped after the window moved to the message, so the effect looks for its article again.
  const [rendered, setRendered] = createSignal(0);
  let revealed: string | null = null;
  let revealedFor = -1;
  createEffect(() => {
    const wanted = new URLSearchParams(search()).get("m");
    const request = requests();
    messages();
    rendered();
    if (!wanted || (wanted === revealed && request === revealedFor)) return;
    const article = log().querySelector<HTMLElement>(`#${CSS.escape(messageElementId(wanted))}`);
    if (!article) {
      if (ensureRendered?.(wanted)) requestAnimationFrame(() => setRendered((count) => count + 1));
      return;
    }
    revealed = wanted;
    revealedFor = request;
    article.classList.remove("found");
    // Restart the fade when the same message is revealed again.
    void article.offsetWidth;
    article.scrollIntoView({ block: "center" });
    article.classList.add("found");
    setTimeout(() => article.classList.remove("found"), HIGHLIGHT_MS);
    onRevealed();
  });
}
