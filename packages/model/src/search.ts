import MiniSearch, { type Options, type SearchOptions, type SearchResult } from "minisearch";
import type { MessageView } from "./messages.ts";
import type { SearchFilter, SearchRequest } from "./searchQuery.ts";
import { makeSnippet, normalizeTerm, type SnippetPart, tokenize } from "./searchSnippet.ts";

/**
 * Full-text search over messages with MiniSearch: what a message looks like in the index, how words
 * match (prefix while typing, fuzzy for typos, exact matches and recent messages first), how filters
 * apply, and how hits are grouped by room for the results list. Pure: the web app runs it in a worker.
 */

/** A message as the index holds it. Everything but `id` is stored, so results render without the room's documents. */
export interface SearchDocument {
  id: string;
  roomId: string;
  author: string;
  createdAt: number;
  /** Markdown source (the effective text after edits). */
  text: string;
  /** Whether the text contains a link (for `has:link`). */
  link: boolean;
}

/** Bumped when tokenising or stored fields change: a persisted index of another format is rebuilt. */
export const SEARCH_INDEX_FORMAT = 1;

/** What the results list shows at most, overall and per room (a room filter shows them all in one room). */
export const MAX_HITS = 40;
export const HITS_PER_ROOM = 5;

const LINK = /\bhttps?:\/\/\S|\bwww\.[^\s.]+\.\S|\bmailto:\S/i;

export function hasLink(text: string): boolean {
  return LINK.test(text);
}

/** A message as it goes into the index, or null when it should not be there (deleted). */
export function toSearchDocument(
  roomId: string,
  message: MessageView & { deleted?: boolean },
): SearchDocument | null {
  if (message.deleted) return null;
  return {
    id: message.id,
    roomId,
    author: message.author,
    createdAt: message.createdAt,
    text: message.text,
    link: hasLink(message.text),
  };
}

const INDEX_OPTIONS: Options<SearchDocument> = {
  fields: ["text"],
  storeFields: ["roomId", "author", "createdAt", "text", "link"],
  tokenize,
  processTerm: (term) => normalizeTerm(term),
};

export type SearchIndex = MiniSearch<SearchDocument>;

export function createSearchIndex(): SearchIndex {
  return new MiniSearch<SearchDocument>(INDEX_OPTIONS);
}

/** The index as one string to persist; `loadSearchIndex` reads it back. */
export function serializeSearchIndex(index: SearchIndex): string {
  return JSON.stringify({ format: SEARCH_INDEX_FORMAT, index });
}

/** Reads a persisted index, or returns null when it is of another format or damaged (it is then rebuilt). */
export function loadSearchIndex(serialized: string): SearchIndex | null {
  try {
    const parsed = JSON.parse(serialized) as { format?: unknown; index?: unknown };
    if (parsed.format !== SEARCH_INDEX_FORMAT || typeof parsed.index !== "object" || parsed.index === null)
      return null;
    return MiniSearch.loadJS(parsed.index as Parameters<typeof MiniSearch.loadJS>[0], INDEX_OPTIONS);
  } catch {
    return null;
  }
}

/**
 * Puts a message into the index, replacing an older version (an edit), or takes it out (a deletion).
 * Returns whether the index changed: re-feeding unchanged messages, as every cold start does, costs a
 * lookup each and no re-indexing.
 */
export function upsertSearchDocument(index: SearchIndex, id: string, next: SearchDocument | null): boolean {
  const stored = index.getStoredFields(id);
  if (next === null) {
    if (!stored) return false;
    index.discard(id);
    return true;
  }
  if (stored) {
    if (stored.text === next.text && stored.roomId === next.roomId) return false;
    index.discard(id);
  }
  index.add(next);
  return true;
}

/** Removes every message of a room not in `keep` (the person left it or lost access). Returns how many went. */
export function discardRoomsExcept(index: SearchIndex, keep: ReadonlySet<string>): number {
  const gone = index
    .search(MiniSearch.wildcard, { filter: (result) => !keep.has(result.roomId as string) })
    .map((result) => result.id);
  index.discardAll(gone);
  return gone.length;
}

export interface SearchHit {
  id: string;
  roomId: string;
  author: string;
  createdAt: number;
  /** Relevance (higher is better); for a query of filters only, all hits score alike. */
  score: number;
  snippet: SnippetPart[];
}

export interface RoomResults {
  roomId: string;
  /** The best hits in this room, best first. */
  hits: SearchHit[];
  /** How many messages in this room match, shown or not. */
  total: number;
}

export interface SearchResults {
  /** Rooms ordered by their best hit. */
  rooms: RoomResults[];
  /** How many messages match in all. */
  total: number;
}

export interface ListLimits {
  maxHits?: number;
  perRoom?: number;
  /** The clock for the recency boost. */
  now?: number;
}

const DAY_MS = 86_400_000;

/**
 * Prefix matching from two letters on (every word may still be being typed); one typo per four to
 * five letters from four letters on. Exact words weigh most, then prefixes, then typos; all words must
 * match (as in Slack); a recent message beats an old one of the same relevance.
 */
function matchOptions(filter: SearchFilter, now: number): SearchOptions {
  return {
    combineWith: "AND",
    prefix: (term) => term.length >= 2,
    fuzzy: (term) => (term.length >= 4 ? 0.2 : false),
    maxFuzzy: 2,
    weights: { prefix: 0.5, fuzzy: 0.3 },
    filter: makeFilter(filter),
    boostDocument: (_id, _term, stored) => {
      const createdAt = typeof stored?.createdAt === "number" ? stored.createdAt : now;
      const ageDays = Math.max(0, now - createdAt) / DAY_MS;
      return 1 + 1 / (1 + ageDays / 30);
    },
  };
}

function makeFilter(filter: SearchFilter): ((result: SearchResult) => boolean) | undefined {
  const authors = filter.authors && new Set(filter.authors);
  const rooms = filter.rooms && new Set(filter.rooms);
  const { since, until, hasLink: needsLink } = filter;
  if (!authors && !rooms && since === null && until === null && !needsLink) return undefined;
  return (result) =>
    (!authors || authors.has(result.author as string)) &&
    (!rooms || rooms.has(result.roomId as string)) &&
    (since === null || (result.createdAt as number) >= since) &&
    (until === null || (result.createdAt as number) < until) &&
    (!needsLink || result.link === true);
}

/**
 * Runs a request and groups the hits by room. Words rank by relevance; a query of filters only
 * (`from:alice`) lists the newest matching messages. Snippets are made only for hits the list shows.
 */
export function searchMessages(
  index: SearchIndex,
  request: SearchRequest,
  limits: ListLimits = {},
): SearchResults {
  const now = limits.now ?? Date.now();
  const maxHits = limits.maxHits ?? MAX_HITS;
  const perRoom = limits.perRoom ?? (request.filter.rooms?.length === 1 ? maxHits : HITS_PER_ROOM);
  const options = matchOptions(request.filter, now);
  const text = request.words.join(" ");
  let results: SearchResult[];
  if (request.words.length === 0) {
    if (!options.filter) return { rooms: [], total: 0 };
    results = index.search(MiniSearch.wildcard, { filter: options.filter });
    results.sort((a, b) => (b.createdAt as number) - (a.createdAt as number));
  } else {
    // Punctuation alone ("?!") has no words to look for.
    if (tokenize(text).length === 0) return { rooms: [], total: 0 };
    results = index.search(text, options);
  }
  return groupByRoom(results, maxHits, perRoom);
}

/** Groups score-ordered results by room, rooms in the order of their best hit, within the list's limits. */
export function groupByRoom(
  results: readonly SearchResult[],
  maxHits: number,
  perRoom: number,
): SearchResults {
  const rooms = new Map<string, RoomResults>();
  let shown = 0;
  for (const result of results) {
    const roomId = result.roomId as string;
    let room = rooms.get(roomId);
    if (!room) {
      room = { roomId, hits: [], total: 0 };
      rooms.set(roomId, room);
    }
    room.total++;
    if (shown < maxHits && room.hits.length < perRoom) {
      shown++;
      room.hits.push({
        id: String(result.id),
        roomId,
        author: result.author as string,
        createdAt: result.createdAt as number,
        score: result.score,
        snippet: makeSnippet(result.text as string, new Set(result.terms)),
      });
    }
  }
  return {
    rooms: [...rooms.values()].filter((room) => room.hits.length > 0),
    total: results.length,
  };
}
