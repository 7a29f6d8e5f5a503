/**
 * Keyboard shortcuts of the signed-in app that are not a text box's own: which one a key press is, if
 * any. `editable` says the press went to a text field, where "?" is a character and not a shortcut.
 */
export type Shortcut =
  | { kind: "jump" }
  | { kind: "help" }
  | { kind: "move"; step: 1 | -1; unreadOnly: boolean };

export function shortcutOf(
  event: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "altKey" | "shiftKey">,
  editable: boolean,
): Shortcut | null {
  if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "k")
    return { kind: "jump" };
  if (
    event.altKey &&
    !event.ctrlKey &&
    !event.metaKey &&
    (event.key === "ArrowUp" || event.key === "ArrowDown")
  )
    return { kind: "move", step: event.key === "ArrowUp" ? -1 : 1, unreadOnly: event.shiftKey };
  if (event.key === "?" && !editable && !event.ctrlKey && !event.metaKey && !event.altKey)
    return { kind: "help" };
  return null;
}

/**
 * Where Alt+↑/↓ goes: the link after (or before) the current one among `links` (the sidebar's, in
 * the order shown), only among unread ones when asked, wrapping around; null when there is nowhere.
 */
export function nextConversation(
  links: ReadonlyArray<{ href: string; unread: boolean }>,
  current: string,
  step: 1 | -1,
  unreadOnly: boolean,
): string | null {
  const at = links.findIndex((link) => link.href === current);
  for (let i = 1; i <= links.length; i++) {
    const index = ((((at < 0 && step < 0 ? 0 : at) + step * i) % links.length) + links.length) % links.length;
    const link = links[index]!;
    if (link.href === current) continue;
    if (!unreadOnly || link.unread) return link.href;
  }
  return null;
}
