/**
 * Words as search sees them, and the snippet shown for a hit: a short stretch of the message around
 * its first match, with every matched word marked. Parts, not HTML, so the UI can render marks
 * without ever injecting markup from a message.
 */

/**
 * A run of letters, marks and digits ("don't" is "don" and "t", "snake_case" is "snake" and "case"),
 * or one emoji (with its variation selector, skin tone and joined parts: 👍🏽, 👩‍💻), so "🎉" finds
 * the messages that have it.
 */
const WORD =
  /[\p{L}\p{M}\p{N}]+|\p{Extended_Pictographic}(?:(?:\u{FE0F}|\u{200D}|\p{Emoji_Modifier})+\p{Extended_Pictographic}?)*/gu;
const COMBINING_MARKS = /\p{M}/gu;

/** The words of a text, as MiniSearch indexes them. */
export function tokenize(text: string): string[] {
  return text.match(WORD) ?? [];
}

/** Lower case without accents, so "Café" is found by "cafe" and the other way round. */
export function normalizeTerm(term: string): string {
  return term.normalize("NFD").replace(COMBINING_MARKS, "").toLowerCase();
}

export interface SnippetPart {
  text: string;
  marked: boolean;
}

/**
 * The source with Markdown punctuation that reads as noise in one line ("**", "`", "[label](url)")
 * removed, and code fences with their language tag ("```ts"), so a code block reads as its code.
 */
function plainText(markdown: string): string {
  return (
    markdown
      // A fence's info string cannot hold a backtick: "```x```" on one line is inline code, kept.
      .replace(/^\s{0,3}(?:`{3,}[^`\n]*|~{3,}[^\n]*)$/gm, "")
      .replace(/!?\[([^\]]*)\]\([^)\s]*\)/g, "$1")
      .replace(/[*`~]+/g, "")
      .replace(/^\s{0,3}(?:>|#{1,6})\s?/gm, "")
      .replace(/\s+/g, " ")
      .trim()
  );
}

/**
 * Up to `maxLength` characters of `markdown` (as plain text) around the first word whose normalised
 * form is in `terms`, with matched words marked. Cut ends get an ellipsis.
 */
export function makeSnippet(markdown: string, terms: ReadonlySet<string>, maxLength = 140): SnippetPart[] {
  const text = plainText(markdown);
  const matches: Array<{ start: number; end: number }> = [];
  if (terms.size > 0)
    for (const word of text.matchAll(WORD))
      if (terms.has(normalizeTerm(word[0])))
        matches.push({ start: word.index, end: word.index + word[0].length });

  let start = 0;
  const first = matches[0];
  // Some words of context before the first match, but never so many that it falls off the end.
  if (first && text.length > maxLength)
    start = Math.max(0, Math.min(first.start - 30, text.length - maxLength));
  if (start > 0) {
    const space = text.indexOf(" ", start);
    if (space !== -1 && space < (first?.start ?? start)) start = space + 1;
  }
  let end = Math.min(text.length, start + maxLength);
  if (end < text.length) {
    const space = text.lastIndexOf(" ", end);
    if (space > start + maxLength / 2) end = space;
  }

  const parts: SnippetPart[] = [];
  const push = (piece: string, marked: boolean) => {
    if (piece) parts.push({ text: piece, marked });
  };
  if (start > 0) push("…", false);
  let cursor = start;
  for (const match of matches) {
    if (match.end <= start) continue;
    if (match.start >= end) break;
    const from = Math.max(match.start, start);
    const to = Math.min(match.end, end);
    push(text.slice(cursor, from), false);
    push(text.slice(from, to), true);
    cursor = to;
  }
  push(text.slice(cursor, end), false);
  if (end < text.length) push("…", false);
  return mergeAdjacent(parts);
}

function mergeAdjacent(parts: SnippetPart[]): SnippetPart[] {
  const merged: SnippetPart[] = [];
  for (const part of parts) {
    const last = merged[merged.length - 1];
    if (last && last.marked === part.marked) last.text += part.text;
    else merged.push({ ...part });
  }
  return merged;
}
