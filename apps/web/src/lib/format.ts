/** Human times for messages: "14:05" today, "Mar 3, 14:05" this year, "Mar 3, 2024, 14:05" before. */

const timeOnly = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dayAndTime = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});
const fullDate = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});
const longDate = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "short" });

export function formatMessageTime(ms: number, now = new Date()): string {
  const date = new Date(ms);
  if (date.toDateString() === now.toDateString()) return timeOnly.format(date);
  if (date.getFullYear() === now.getFullYear()) return dayAndTime.format(date);
  return fullDate.format(date);
}

/** Hours and minutes alone ("14:05"), for the gutter beside a message grouped under the one before. */
export function formatClock(ms: number): string {
  return timeOnly.format(new Date(ms));
}

export function formatLongTime(ms: number): string {
  return longDate.format(new Date(ms));
}

export function isoTime(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? new Date(0).toISOString() : date.toISOString();
}

/**
 * How long ago, in a few words ("just now", "3 min ago", "2 h ago", "yesterday", then the date): for
 * lines such as a thread's "last reply … 3 min ago", where the exact time is in a title beside it.
 */
export function formatAgo(ms: number, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - ms) / 1000));
  if (seconds < 60) return "just now";
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const yesterday = new Date(now);
  yesterday.setDate(yesterday.getDate() - 1);
  if (new Date(ms).toDateString() === yesterday.toDateString()) return "yesterday";
  return formatMessageTime(ms, new Date(now));
}
