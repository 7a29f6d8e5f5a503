import { createEffect, createSignal, onCleanup } from "solid-js";

/**
 * The tab title: "(3) general · Chat" — the unread total first (so it shows in a crowded tab bar),
 * then the open conversation. The open room sets its name; the shell supplies the total.
 */
const [conversation, setConversation] = createSignal<string | null>(null);

/** Called by the open room while it is shown. */
export function showConversationTitle(title: () => string): void {
  createEffect(() => setConversation(title() || null));
  onCleanup(() => setConversation(null));
}

export function formatTabTitle(unread: number, name: string | null): string {
  return `${unread > 0 ? `(${unread}) ` : ""}${name ? `${name} · ` : ""}Chat`;
}

/** Keeps document.title current; call once in the signed-in shell. */
export function trackTabTitle(unread: () => number): void {
  createEffect(() => {
    document.title = formatTabTitle(unread(), conversation());
  });
  onCleanup(() => {
    document.title = "Chat";
  });
}
