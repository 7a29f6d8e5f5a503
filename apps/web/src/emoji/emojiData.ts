/**
 * The emoji set (Emoji Mart's data, Unicode 15, native characters) for the picker and `:shortcode:`
 * completion. It is 430 kB of JSON, so it is fetched on demand, the first time either is used, and
 * never weighs on the first screen.
 */
export interface Emoji {
  /** The shortcode without colons: "tada", "+1". */
  id: string;
  name: string;
  native: string;
  keywords: readonly string[];
  category: string;
}

export interface EmojiSet {
  all: readonly Emoji[];
  categories: ReadonlyArray<{ id: string; emojis: readonly Emoji[] }>;
  /** By shortcode, aliases included ("satisfied" is "laughing"). */
  byCode: ReadonlyMap<string, Emoji>;
  byNative: ReadonlyMap<string, Emoji>;
}

interface RawData {
  categories: Array<{ id: string; emojis: string[] }>;
  emojis: Record<string, { id: string; name: string; keywords: string[]; skins: Array<{ native: string }> }>;
  aliases: Record<string, string>;
}

let loading: Promise<EmojiSet> | null = null;

export function loadEmoji(): Promise<EmojiSet> {
  loading ??= import("@emoji-mart/data/sets/15/native.json").then((module) =>
    buildSet((module as { default: RawData }).default),
  );
  return loading;
}

export function buildSet(data: RawData): EmojiSet {
  const byCode = new Map<string, Emoji>();
  const categories = data.categories.map((category) => ({
    id: category.id,
    emojis: category.emojis.flatMap((id) => {
      const raw = data.emojis[id];
      const native = raw?.skins[0]?.native;
      if (!raw || !native) return [];
      const emoji: Emoji = { id, name: raw.name, native, keywords: raw.keywords, category: category.id };
      byCode.set(id, emoji);
      return [emoji];
    }),
  }));
  for (const [alias, id] of Object.entries(data.aliases)) {
    const emoji = byCode.get(id);
    if (emoji && !byCode.has(alias)) byCode.set(alias, emoji);
  }
  const all = categories.flatMap((category) => category.emojis);
  return { all, categories, byCode, byNative: new Map(all.map((emoji) => [emoji.native, emoji])) };
}

/**
 * Emoji matching `query` (a shortcode or words): shortcodes that start with it first, then names
 * and keywords that do, then those that contain it; at most `limit`.
 */
export function searchEmoji(set: EmojiSet, query: string, limit = 60): Emoji[] {
  const q = query.trim().toLowerCase().replace(/^:|:$/g, "");
  if (!q) return set.all.slice(0, limit);
  const ranked: Array<[number, Emoji]> = [];
  for (const emoji of set.all) {
    const name = emoji.name.toLowerCase();
    const rank = emoji.id.startsWith(q)
      ? 0
      : name.startsWith(q) || name.includes(` ${q}`) || emoji.keywords.some((k) => k.startsWith(q))
        ? 1
        : emoji.id.includes(q) || name.includes(q)
          ? 2
          : -1;
    if (rank >= 0) ranked.push([rank, emoji]);
  }
  // A stable sort: within a rank, the set's own order (common ones first in each category).
  return ranked
    .sort((a, b) => a[0] - b[0])
    .slice(0, limit)
    .map(([, emoji]) => emoji);
}

const RECENT_KEY = "chat.emoji.recent";
const RECENT_LIMIT = 24;

/** The emoji this device used last, newest first (the picker shows them first). */
export function recentEmoji(): string[] {
  try {
    const value = JSON.parse(localStorage.getItem(RECENT_KEY) ?? "[]") as unknown;
    return Array.isArray(value) ? value.filter((e): e is string => typeof e === "string") : [];
  } catch {
    return [];
  }
}

export function noteEmojiUsed(native: string): void {
  const next = [native, ...recentEmoji().filter((e) => e !== native)].slice(0, RECENT_LIMIT);
  try {
    localStorage.setItem(RECENT_KEY, JSON.stringify(next));
  } catch {}
}

/** The shortcode being typed just before `caret` (":tad" → "tad"), at least two characters, or null. */
export function shortcodeQueryAt(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const match = /(^|[\s(])(:[a-z0-9_+-]{2,})$/i.exec(before);
  if (!match) return null;
  return { start: caret - match[2]!.length, query: match[2]!.slice(1).toLowerCase() };
}
