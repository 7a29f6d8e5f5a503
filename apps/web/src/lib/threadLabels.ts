import { formatAgo } from "./format";

/** "bob", "bob and carol", "bob, carol and dave", "bob, carol, dave and 2 others". */
export function joinNames(names: readonly string[], shown = 3): string {
  if (names.length <= 1) return names[0] ?? "";
  if (names.length <= shown) return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
  const others = names.length - shown;
  return `${names.slice(0, shown).join(", ")} and ${others} ${others === 1 ? "other" : "others"}`;
}

/**
 * The name of a root message's thread button in the room: it starts with the count (the UI contract
 * "N replies…"), then who replied (most recent first) and when the last reply came.
 */
export function threadButtonLabel(
  count: number,
  replierNames: readonly string[],
  lastAt: number,
  now: number,
): string {
  const replies = `${count} ${count === 1 ? "reply" : "replies"}`;
  const who = replierNames.length > 0 ? ` from ${joinNames(replierNames)}` : "";
  return `${replies}${who}, last reply ${formatAgo(lastAt, now)}`;
}
