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

/** Lower-cased usernames mentioned in a Markdown text, each once, in order of first mention. */
export function parseMentions(text: string): string[] {
  const withoutCode = text.replace(FENCE_RE, " ").replace(INLINE_CODE_RE, " ");
  const found = new Set<string>();
  for (const match of withoutCode.matchAll(MENTION_RE)) {
    const name = trimMentionName(match[2]!);
    if (name.length >= 2) found.add(name);
  }
  return [...found];
}
