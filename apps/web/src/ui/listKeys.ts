/**
 * The keys of a suggestion list that hangs off a text box (the "@" and ":" typeaheads): ArrowDown and
 * ArrowUp move the highlight round the list, Enter or Tab picks the highlighted one, Escape dismisses
 * the list. Returns true when the key was the list's, after stopping it, so the box does not act on it
 * too (Enter would send the message).
 */
export function handleListKey(
  event: KeyboardEvent,
  list: { count: number; active: number; move(to: number): void; pick(): void; dismiss(): void },
): boolean {
  switch (event.key) {
    case "ArrowDown":
      list.move((list.active + 1) % list.count);
      break;
    case "ArrowUp":
      list.move((list.active - 1 + list.count) % list.count);
      break;
    case "Enter":
    case "Tab":
      if (event.shiftKey || event.isComposing) return false;
      list.pick();
      break;
    case "Escape":
      list.dismiss();
      break;
    default:
      return false;
  }
  event.preventDefault();
  event.stopPropagation();
  return true;
}
