/**
 * How well `query` matches `name` for the quick switcher, higher is better, or null for no match: the
 * letters of the query in order, anywhere in the name ("gnrl" finds "general"), with a name that
 * starts with the query first, then one where a word starts with it, then the tighter matches.
 */
export function fuzzyScore(name: string, query: string): number | null {
  const text = name.toLowerCase();
  const wanted = query.trim().toLowerCase();
  if (wanted === "") return 0;
  if (text.startsWith(wanted)) return 3_000 - text.length;
  const wordStart = text.search(new RegExp(`(^|[\\s._-])${escapeRegExp(wanted)}`));
  if (wordStart >= 0) return 2_000 - wordStart;
  const contains = text.indexOf(wanted);
  if (contains >= 0) return 1_500 - contains;
  // The letters in order: the fewer letters skipped between them, the better.
  let at = 0;
  let gaps = 0;
  for (const letter of wanted) {
    const found = text.indexOf(letter, at);
    if (found < 0) return null;
    gaps += found - at;
    at = found + 1;
  }
  return 1_000 - gaps;
}

/**
 * The kind of match a fuzzyScore is, best first: the name starts with the query (3), a word of it does
 * (2), the query is inside it (1), its letters are in order (0). Names are at most 80 characters, so
 * the kinds' ranges never overlap.
 */
export function matchKind(score: number): number {
  return score >= 2_500 ? 3 : score >= 1_900 ? 2 : score >= 1_400 ? 1 : 0;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
