/** Day grouping of the message list: "Today", "Yesterday", then a date. */

const sameYear = new Intl.DateTimeFormat(undefined, { weekday: "long", month: "long", day: "numeric" });
const otherYear = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "long", day: "numeric" });

/** A key that is equal for two times on the same local calendar day. */
export function dayKey(ms: number): string {
  const date = new Date(ms);
  return `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;
}

export function dayLabel(ms: number, now = new Date()): string {
  const date = new Date(ms);
  if (dayKey(ms) === dayKey(now.getTime())) return "Today";
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (dayKey(ms) === dayKey(yesterday.getTime())) return "Yesterday";
  return (date.getFullYear() === now.getFullYear() ? sameYear : otherYear).format(date);
}

/** Consecutive messages of one author within this long show as one group (one name, one avatar). */
export const GROUP_WINDOW_MS = 5 * 60_000;
