/**
 * "@name" mentions. A mention is an @ not preceded by a word character, followed by a username;
 * mentions inside code (inline `code` or fenced blocks) do not count, and trailing punctuation is
 * not part of the name ("thanks @bob." mentions bob).
 */
const MENTION_RE = /(^|[^\w@`])@([a-z0-9][a-z0-9._-]{0,31})/gi;
const FENCE_RE = /```[\s\S]*?(```|$)|~~~[\s\S]*?(~~~|$)/g;
const INLINE_CODE_RE = /`[^`\n]*`/g;

export function trimMentionName(raw: string): string {
  return raw.replace(/[._-]+$/, "").toLowerCase();
}

/**
 * Lower-cased usernames mentioned in a Markdown text, each once, in order of first mention. The
 * server refuses a message whose `mentions` differ from what this makes of its text, and reads
 * mentions from the text itself (apps/sync writes/rules.ts, userIndex/textMentions.ts): changing
 * what counts as a mention needs SCHEMA_VERSION raised, or messages from apps still running the
 * older rule are refused.
 */
export function parseMentions(text: string): string[] {
  const withoutCode = text.replace(FENCE_RE, " ").replace(INLINE_CODE_RE, " ");
  const found = new Set<string>();
  for (const match of withoutCode.matchAll(MENTION_RE)) {
    const name = trimMentionName(match[2]!);
    if (name.length >= 2) found.add(name);
  }
  return [...found];
}

/**
 * A plain text (a mention's preview) cut into runs of text and mentions of `known` usernames, so a UI
 * can show each mention as a chip without rendering the text as Markdown.
 */
export function splitMentions(
  text: string,
  known: ReadonlySet<string>,
): Array<{ text: string; mention: boolean }> {
  const parts: Array<{ text: string; mention: boolean }> = [];
  let cursor = 0;
  for (const match of text.matchAll(MENTION_RE)) {
    const name = trimMentionName(match[2]!);
    if (!known.has(name)) continue;
    const at = match.index + match[1]!.length;
    if (at > cursor) parts.push({ text: text.slice(cursor, at), mention: false });
    parts.push({ text: `@${text.slice(at + 1, at + 1 + name.length)}`, mention: true });
    cursor = at + 1 + name.length;
  }
  if (cursor < text.length) parts.push({ text: text.slice(cursor), mention: false });
  return parts;
}

/**
 * The "@name" being typed at `caret`, for the typeahead: where its @ is and what follows it so far
 * (lower-cased), or null when the caret is not in a mention (an e-mail address, or no @ before it).
 */
export function mentionQueryAt(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const match = /(^|[^\w@`])@([a-z0-9._-]{0,32})$/i.exec(before);
  if (!match) return null;
  return { start: caret - match[2]!.length - 1, query: match[2]!.toLowerCase() };
}

/** Usernames that complete `query`: those starting with it first, then those containing it. */
export function suggestUsernames(usernames: readonly string[], query: string, limit = 6): string[] {
  const starts = usernames.filter((name) => name.startsWith(query));
  const contains = usernames.filter((name) => !name.startsWith(query) && name.includes(query));
  return [...starts.sort(), ...contains.sort()].slice(0, limit);
}

/** Someone the typeahead may offer: the handle that is inserted, and the name people know them by. */
export interface MentionCandidate {
  username: string;
  displayName: string;
}

/** Lower case without accents, so "zoe" finds "Zoë" (the query is typed in a–z, 0–9 and . _ -). */
const folded = (text: string) => text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();

/**
 * People that `query` (after "@") may mean, best first: a username or a word of the display name
 * starting with it (prefix matches first), then a username or display name containing it; by
 * username within each. "@ali" offers alice and "Ali Khan" before "Natalia".
 */
export function suggestPeople<T extends MentionCandidate>(
  people: readonly T[],
  query: string,
  limit = 6,
): T[] {
  const q = folded(query);
  const rank = (person: T): number => {
    const name = folded(person.displayName);
    if (person.username.startsWith(q)) return 0;
    if (name.split(/[\s._-]+/).some((word) => word.startsWith(q))) return 1;
    if (person.username.includes(q) || name.includes(q)) return 2;
    return -1;
  };
  return people
    .map((person) => ({ person, rank: rank(person) }))
    .filter((entry) => entry.rank >= 0)
    .sort((a, b) => a.rank - b.rank || a.person.username.localeCompare(b.person.username))
    .slice(0, limit)
    .map((entry) => entry.person);
}
