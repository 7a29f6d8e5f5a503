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
