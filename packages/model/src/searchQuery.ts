/**
 * The search field's little language: words, "quoted phrases" and filters in any order, as in Slack:
 * `from:alice in:design after:2024-01-31 has:link budget`. Parsing is pure and total (every input gives
 * a query, with a sentence for each part it could not use); resolving turns names into ids and dates
 * into instants against what the device knows.
 */

/** What the help popover lists; `insert` is what choosing one puts in the field. */
export const SEARCH_FILTERS = [
  {
    syntax: "from:username",
    insert: "from:",
    meaning: "messages written by that person (from:me for yours)",
  },
  {
    syntax: "in:room",
    insert: "in:",
    meaning: "messages in that room, or in your conversation with that person",
  },
  { syntax: "before:YYYY-MM-DD", insert: "before:", meaning: "messages sent before that day" },
  { syntax: "after:YYYY-MM-DD", insert: "after:", meaning: "messages sent after that day" },
  { syntax: "on:YYYY-MM-DD", insert: "on:", meaning: "messages sent on that day" },
  { syntax: "has:link", insert: "has:link ", meaning: "messages that contain a link" },
  { syntax: "has:file", insert: "has:file ", meaning: "messages with files attached (images too)" },
  { syntax: "has:image", insert: "has:image ", meaning: "messages with an image attached" },
] as const;

/** A calendar day as written in a filter; turned into an instant in the person's time zone when resolved. */
export interface CalendarDay {
  year: number;
  month: number;
  day: number;
}

export interface ParsedQuery {
  /** Words to match, as typed (a quoted phrase contributes its words). */
  words: string[];
  /** Usernames from `from:` (any of them), without a leading "@". */
  from: string[];
  /** Room names (or usernames of direct conversations) from `in:` (any of them), without "#" or "@". */
  in: string[];
  before: CalendarDay | null;
  after: CalendarDay | null;
  on: CalendarDay | null;
  hasLink: boolean;
  hasFile: boolean;
  hasImage: boolean;
  /** Sentences for the parts that could not be used, shown under the field. */
  problems: string[];
}

/** A filter key, then either a quoted value or a bare one; or a quoted phrase; or a bare word. */
const PART = /(\w+):(?:"([^"]*)"?|(\S*))|"([^"]*)"?|(\S+)/g;
const FILTER_KEYS = new Set(["from", "in", "before", "after", "on", "has"]);
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

export function parseQuery(input: string): ParsedQuery {
  const query: ParsedQuery = {
    words: [],
    from: [],
    in: [],
    before: null,
    after: null,
    on: null,
    hasLink: false,
    hasFile: false,
    hasImage: false,
    problems: [],
  };
  for (const match of input.matchAll(PART)) {
    const [whole, rawKey, quotedValue, bareValue, phrase, word] = match;
    if (rawKey !== undefined) {
      const key = rawKey.toLowerCase();
      const value = (quotedValue ?? bareValue ?? "").trim();
      // "10:30" or "re:" are words, not filters: only known keys filter.
      if (!FILTER_KEYS.has(key)) {
        query.words.push(whole);
        continue;
      }
      // Still being typed ("from:"): nothing to apply yet, and nothing wrong either.
      if (value === "") continue;
      applyFilter(query, key, value);
    } else if (phrase !== undefined) {
      query.words.push(...phrase.split(/\s+/).filter(Boolean));
    } else if (word !== undefined) {
      query.words.push(word);
    }
  }
  return query;
}

function applyFilter(query: ParsedQuery, key: string, value: string): void {
  switch (key) {
    case "from":
      query.from.push(value.replace(/^@/, "").toLowerCase());
      return;
    case "in":
      query.in.push(value.replace(/^[#@]/, ""));
      return;
    case "has": {
      const what = value.toLowerCase();
      if (what === "link") query.hasLink = true;
      else if (what === "file" || what === "files") query.hasFile = true;
      else if (what === "image" || what === "images") query.hasImage = true;
      else query.problems.push(`"has:${value}" is not a filter: has:link, has:file and has:image are.`);
      return;
    }
    default: {
      const day = parseDay(value);
      if (!day) {
        query.problems.push(`"${key}:${value}" needs a date written YYYY-MM-DD, like ${key}:2024-03-31.`);
        return;
      }
      if (key === "before") query.before = day;
      else if (key === "after") query.after = day;
      else query.on = day;
    }
  }
}

/** A real calendar day written YYYY-MM-DD, or null (2024-02-30 is not one). */
export function parseDay(text: string): CalendarDay | null {
  const match = DAY.exec(text);
  if (!match) return null;
  const day = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  const date = new Date(Date.UTC(day.year, day.month - 1, day.day));
  const real =
    date.getUTCFullYear() === day.year &&
    date.getUTCMonth() === day.month - 1 &&
    date.getUTCDate() === day.day;
  return real ? day : null;
}

/** Local midnight at the start of `day`, `offsetDays` later. */
function startOfDay(day: CalendarDay, offsetDays = 0): number {
  return new Date(day.year, day.month - 1, day.day + offsetDays).getTime();
}

/** What a query keeps, with names already turned into ids. Null means "no restriction". */
export interface SearchFilter {
  authors: string[] | null;
  rooms: string[] | null;
  /** createdAt >= since */
  since: number | null;
  /** createdAt < until */
  until: number | null;
  hasLink: boolean;
  /** Only messages with files (`has:file`); left out means false. */
  hasFile?: boolean;
  /** Only messages with an image (`has:image`). */
  hasImage?: boolean;
}

export interface SearchRequest {
  words: string[];
  filter: SearchFilter;
}

/** What the device knows that names in filters refer to. */
export interface SearchVocabulary {
  me: { id: string; username: string };
  users: ReadonlyArray<{ id: string; username: string }>;
  /** Rooms the person can search, by name; direct conversations by the other person's username. */
  rooms: ReadonlyArray<{ id: string; name: string }>;
}

export interface ResolvedQuery {
  request: SearchRequest;
  problems: string[];
  /** True when a filter names nothing the device knows: the answer is empty without searching. */
  impossible: boolean;
  /** True when there is nothing to search for yet (no words and no filters). */
  empty: boolean;
}

/**
 * Turns usernames and room names into ids and days into instants (in this device's time zone, which
 * is what a person means by "before Tuesday"). A name nobody has makes the query impossible, with a
 * sentence saying so, rather than silently ignoring the filter.
 */
export function resolveQuery(parsed: ParsedQuery, vocabulary: SearchVocabulary): ResolvedQuery {
  const problems = [...parsed.problems];
  let impossible = false;

  let authors: string[] | null = null;
  if (parsed.from.length > 0) {
    authors = [];
    for (const name of parsed.from) {
      if (name === "me") {
        authors.push(vocabulary.me.id);
        continue;
      }
      const user = vocabulary.users.find((candidate) => candidate.username.toLowerCase() === name);
      if (user) authors.push(user.id);
      else problems.push(`No one is called "${name}".`);
    }
    if (authors.length === 0) impossible = true;
  }

  let rooms: string[] | null = null;
  if (parsed.in.length > 0) {
    rooms = [];
    for (const name of parsed.in) {
      const found = findRooms(vocabulary.rooms, name);
      if (found.length > 0) rooms.push(...found);
      else problems.push(`You have no room called "${name}".`);
    }
    if (rooms.length === 0) impossible = true;
  }

  let since: number | null = null;
  let until: number | null = null;
  if (parsed.after) since = startOfDay(parsed.after, 1);
  if (parsed.before) until = startOfDay(parsed.before);
  if (parsed.on) {
    since = Math.max(since ?? -Infinity, startOfDay(parsed.on));
    until = Math.min(until ?? Infinity, startOfDay(parsed.on, 1));
  }
  if (since !== null && until !== null && since >= until) {
    problems.push("No day is both after and before those dates.");
    impossible = true;
  }

  const filter: SearchFilter = {
    authors,
    rooms,
    since,
    until,
    hasLink: parsed.hasLink,
    hasFile: parsed.hasFile,
    hasImage: parsed.hasImage,
  };
  const empty =
    parsed.words.length === 0 &&
    authors === null &&
    rooms === null &&
    since === null &&
    until === null &&
    !parsed.hasLink &&
    !parsed.hasFile &&
    !parsed.hasImage;
  return { request: { words: parsed.words, filter }, problems, impossible, empty };
}

/** Rooms named exactly `name` (ignoring case); failing that, rooms whose name starts with it. */
function findRooms(rooms: SearchVocabulary["rooms"], name: string): string[] {
  const wanted = name.toLowerCase();
  const exact = rooms.filter((room) => room.name.toLowerCase() === wanted);
  if (exact.length > 0) return exact.map((room) => room.id);
  return rooms.filter((room) => room.name.toLowerCase().startsWith(wanted)).map((room) => room.id);
}
