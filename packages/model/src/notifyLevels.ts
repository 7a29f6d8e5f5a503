import type * as Y from "yjs";
import type { RoomKind } from "./rooms.ts";
import { parseDocName, ROOTS, roomDocName } from "./schema.ts";

/**
 * How loudly each room calls its person, and when nothing calls at all: in the person's own index
 * document (`notify` map, written by its owner on any device, checked value by value by the server,
 * notifyEntryProblem), so a level set on one device reaches every other, and the server (which
 * mirrors the map into Postgres) decides pushes by the same rule as the web app.
 *
 * The map holds one entry per room whose level was chosen (key: the room id, value: the level) and
 * at most one `dnd` entry (the do-not-disturb schedule, a small plain object). A root of its own rather
 * than the `settings` map: settings hold at most 100 scalars, while levels grow with the rooms a person
 * is in and the schedule is an object.
 */
export type NotifyLevel = "all" | "mentions" | "nothing";

export interface DoNotDisturb {
  /** Paused until this moment (ms since the epoch). */
  until?: number;
  /** Paused every day from `from` to `to` ("HH:MM", 24 h), in the person's time zone; may cross midnight. */
  daily?: { from: string; to: string; timeZone: string };
}

export const NOTIFY_LEVELS: readonly NotifyLevel[] = ["all", "mentions", "nothing"];
/** The key of the do-not-disturb entry (never a room id: those are 16 characters or `dm-…`). */
export const DND_KEY = "dnd";
/** Entries one person's `notify` map may hold: a level per room (rooms one may be in), plus the schedule. */
export const MAX_NOTIFY_ENTRIES = 2_001;
const MAX_TIME_ZONE_LENGTH = 64;

const notifyMap = (doc: Y.Doc) => doc.getMap<unknown>(ROOTS.user.notify);

/**
 * A direct conversation (anything but a room: a DM, and a group conversation should one come), which
 * always calls its people.
 */
const isConversation = (kind: RoomKind) => kind !== "channel" && kind !== "private";

const isLevel = (value: unknown): value is NotifyLevel =>
  (NOTIFY_LEVELS as readonly unknown[]).includes(value);

/**
 * The level of a room for its person: a direct conversation always calls ("All messages"), a room
 * calls for mentions unless its person chose otherwise.
 */
export function notifyLevel(doc: Y.Doc, roomId: string, kind: RoomKind): NotifyLevel {
  return resolveNotifyLevel(notifyMap(doc).get(roomId), kind);
}

/** The level a stored entry (or none) gives a room of this kind: the rule of notifyLevel, for stored copies. */
export function resolveNotifyLevel(stored: unknown, kind: RoomKind): NotifyLevel {
  if (isConversation(kind)) return "all";
  return isLevel(stored) ? stored : "mentions";
}

export function setNotifyLevel(doc: Y.Doc, roomId: string, level: NotifyLevel): void {
  const map = notifyMap(doc);
  if (map.get(roomId) === level) return;
  doc.transact(() => map.set(roomId, level));
}

/** The do-not-disturb schedule, or null when none is set (or the stored one is not well formed). */
export function doNotDisturb(doc: Y.Doc): DoNotDisturb | null {
  const value = notifyMap(doc).get(DND_KEY);
  return dndProblem(value) === null ? (value as DoNotDisturb) : null;
}

export function setDoNotDisturb(doc: Y.Doc, dnd: DoNotDisturb | null): void {
  const map = notifyMap(doc);
  doc.transact(() => {
    if (dnd === null || (dnd.until === undefined && dnd.daily === undefined)) map.delete(DND_KEY);
    else map.set(DND_KEY, plainDnd(dnd));
  });
}

/** Only the known fields (an object with `undefined` values would not survive JSON anyway). */
function plainDnd(dnd: DoNotDisturb): DoNotDisturb {
  const plain: DoNotDisturb = {};
  if (dnd.until !== undefined) plain.until = dnd.until;
  if (dnd.daily !== undefined)
    plain.daily = { from: dnd.daily.from, to: dnd.daily.to, timeZone: dnd.daily.timeZone };
  return plain;
}

/**
 * Whether notifications are paused at `now`: before `until`, or inside the daily window read on the
 * clock of its time zone. A window whose end is before its start crosses midnight (22:00–07:00);
 * a window's start is inside it, its end is not.
 */
export function isDoNotDisturbAt(dnd: DoNotDisturb | null, now: number): boolean {
  if (!dnd) return false;
  if (dnd.until !== undefined && now < dnd.until) return true;
  if (!dnd.daily) return false;
  const from = minutesOf(dnd.daily.from);
  const to = minutesOf(dnd.daily.to);
  const at = localMinutes(now, dnd.daily.timeZone);
  if (from === null || to === null || at === null || from === to) return false;
  return from < to ? at >= from && at < to : at >= from || at < to;
}

/**
 * The one rule: does a message call its person? A direct conversation always does; otherwise "All
 * messages" does, "Mentions only" when the message mentions them, "Nothing" never. (Do not disturb
 * is checked apart: it pauses calls, it does not change what counts in the nav.)
 *
 * A thread reply (`followedThread` given: whether the person follows its thread) calls its thread's
 * followers at "All messages" and "Mentions only", as Slack does; a room set to "Nothing" stays
 * silent for it, mentions too, as for its other messages (the nav still counts the mentions). A reply not also sent to the room calls nobody
 * else, "All messages" or not (it is not in the room's timeline); one also sent to the room
 * (`alsoInRoom`) calls as a room message too.
 */
export function shouldNotify(input: {
  level: NotifyLevel;
  mentioned: boolean;
  kind: RoomKind;
  followedThread?: boolean;
  alsoInRoom?: boolean;
}): boolean {
  if (isConversation(input.kind)) return true;
  const reply = input.followedThread !== undefined;
  // Muted is muted: "Nothing" silences the room's threads as it silences the room.
  if (input.level === "nothing") return false;
  if (reply && input.followedThread) return true;
  if (reply && !input.alsoInRoom) return input.mentioned;
  if (input.level === "all") return true;
  if (input.level === "mentions") return input.mentioned;
  return false;
}

/**
 * Everything the `notify` map holds, as plain data (what the server mirrors into Postgres): the
 * chosen level of each room (entries that are not well formed are left out) and the schedule.
 */
export function notifyPrefsOf(doc: Y.Doc): { levels: Record<string, NotifyLevel>; dnd: DoNotDisturb | null } {
  const levels: Record<string, NotifyLevel> = {};
  for (const [key, value] of notifyMap(doc).entries())
    if (key !== DND_KEY && notifyEntryProblem(key, value) === null) levels[key] = value as NotifyLevel;
  return { levels, dnd: doNotDisturb(doc) };
}

export function observeNotifySettings(doc: Y.Doc, cb: () => void): () => void {
  const map = notifyMap(doc);
  const listener = () => cb();
  map.observe(listener);
  return () => map.unobserve(listener);
}

/**
 * Why an entry of the `notify` map is refused (the server's write rules), or null: a well-formed room
 * id with a known level, or the `dnd` key with a valid schedule.
 */
export function notifyEntryProblem(key: string, value: unknown): string | null {
  if (key === DND_KEY) return dndProblem(value);
  if (parseDocName(roomDocName(key))?.kind !== "room") return "a notification level is keyed by a room id";
  if (!isLevel(value)) return `a notification level is one of ${NOTIFY_LEVELS.join(", ")}`;
  return null;
}

const HH_MM = /^([01][0-9]|2[0-3]):([0-5][0-9])$/;

function dndProblem(value: unknown): string | null {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return "do not disturb is an object with `until` and/or `daily`";
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 0 || keys.some((key) => key !== "until" && key !== "daily"))
    return "do not disturb is an object with `until` and/or `daily`";
  if ("until" in record && !(Number.isSafeInteger(record.until) && (record.until as number) > 0))
    return "do not disturb's `until` is a moment in milliseconds";
  if ("daily" in record) return dailyProblem(record.daily);
  return null;
}

function dailyProblem(value: unknown): string | null {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return "a daily window is { from, to, timeZone }";
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length !== 3 || !["from", "to", "timeZone"].every((key) => key in record))
    return "a daily window is { from, to, timeZone }";
  if (typeof record.from !== "string" || !HH_MM.test(record.from)) return "a daily window's times are HH:MM";
  if (typeof record.to !== "string" || !HH_MM.test(record.to)) return "a daily window's times are HH:MM";
  if (record.from === record.to) return "a daily window starts and ends at different times";
  if (
    typeof record.timeZone !== "string" ||
    record.timeZone.length > MAX_TIME_ZONE_LENGTH ||
    formatterFor(record.timeZone) === null
  )
    return "a daily window names a known time zone";
  return null;
}

function minutesOf(time: string): number | null {
  const match = HH_MM.exec(time);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

/** Formatters by time zone (building one costs far more than using it); null for an unknown zone. */
const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatterFor(timeZone: string): Intl.DateTimeFormat | null {
  if (formatters.has(timeZone)) return formatters.get(timeZone)!;
  let formatter: Intl.DateTimeFormat | null;
  try {
    formatter = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
  } catch {
    formatter = null;
  }
  // Bounded: zone names come from validated documents, but a long-running server sees many people.
  if (formatters.size < 1_000) formatters.set(timeZone, formatter);
  return formatter;
}

/** Minutes past midnight on the wall clock of `timeZone` at `now`. */
function localMinutes(now: number, timeZone: string): number | null {
  const formatter = formatterFor(timeZone);
  if (!formatter) return null;
  let hour = 0;
  let minute = 0;
  for (const part of formatter.formatToParts(now)) {
    if (part.type === "hour") hour = Number(part.value) % 24;
    else if (part.type === "minute") minute = Number(part.value);
  }
  return hour * 60 + minute;
}
