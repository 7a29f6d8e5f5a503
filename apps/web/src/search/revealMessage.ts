import { createEffect } from "solid-js";
import { search } from "../router";

/**
 * Opening a room at a message (`/r/<id>?m=<messageId>`, as search results link): once that message is
 * in the log it is scrolled to the middle and highlighted for a moment. Waits for the message to
 * render (the room may still be loading), and does it once per request.
 */

/** The DOM id of a message's article. */
export const messageElementId = (messageId: string): string => `message-${messageId}`;

/** How long the highlight stays (matches the fade in search.css). */
const HIGHLIGHT_MS = 3_000;

export function revealRequestedMessage(
  log: () => HTMLElement,
  messages: () => readonly unknown[],
  onRevealed: () => void,
): void {
  let revealed: string | null = null;
  createEffect(() => {
    const wanted = new URLSearchParams(search()).get("m");
    messages();
    if (!wanted || wanted === revealed) return;
    const article = log().querySelector<HTMLElement>(`#${CSS.escape(messageElementId(wanted))}`);
    if (!article) return;
    revealed = wanted;
    article.scrollIntoView({ block: "center" });
    article.classList.add("found");
    setTimeout(() => article.classList.remove("found"), HIGHLIGHT_MS);
    onRevealed();
  });
}
