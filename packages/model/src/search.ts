import MiniSearch, { type Options, type SearchOptions } from "minisearch";
import { isRasterImageType } from "./attachments.ts";
import type { MessageView } from "./messages.ts";
import {
  type Candidate,
  type Collected,
  type ScoringOptions,
  type TermPlan,
  trackChange,
} from "./searchExecutor.ts";
import { makeSnippet, normalizeTerm, type SnippetPart, tokenize } from "./searchSnippet.ts";

/**
 * Full-text search over messages with MiniSearch: what a message looks like in the index, how words
 * match (prefix while typing, fuzzy for typos, exact matches and recent messages first), and what a
 * hit and the grouped results look like. The index itself is split by history segment
 * (searchShards.ts). Pure: the web app runs it in a worker. Imported as `@chat/model/search`, not
 * through the package's main entry, so that the server (which never searches) does not load MiniSearch.
 */

/** A message as the index holds it. Everything but `id` is stored, so results render without the room's documents. */
export interface SearchDocument {
  id: string;
  roomId: string;
  author: string;
  createdAt: number;
  /**
   * Markdown source (the effective text after edits), then the names of the message's files, one a
   * line: a file is found by its name, and the hit's snippet shows it.
   */
  text: string;
  /** Whether the text contains a link (for `has:link`). */
  link: boolean;
  /** Whether files are attached (for `has:file`). */
  file?: boolean;
  /** Whether an image is attached (for `has:image`). */
  image?: boolean;
  /** A reply in a thread: its root's id (a hit opens the thread, `/r/<roomId>/t/<threadRoot>`). */
  threadRoot?: string;
}

/** Bumped when tokenising or stored fields change: a persisted index of another format is rebuilt. */
export const SEARCH_INDEX_FORMAT = 5;

/** What the results list shows at most, overall and per room (a room filter shows them all in one room). */
export const MAX_HITS = 40;
export const HITS_PER_ROOM = 5;

const LINK = /\bhttps?:\/\/\S|\bwww\.[^\s.]+\.\S|\bmailto:\S/i;

export function hasLink(text: string): boolean {
  return LINK.test(text);
}

/**
 * A message as it goes into the index, or null when it should not be there: deleted, or a line the
 * server wrote about the room ("alice added bob"), which is not something anyone said.
 */
export function toSearchDocument(roomId: string, message: MessageView): SearchDocument | null {
  if (message.deleted || message.event) return null;
  const files = message.attachments ?? [];
  const document: SearchDocument = {
    id: message.id,
    roomId,
    author: message.author,
    // The time it is shown under (the server's, once numbered), so results agree with the room.
    createdAt: message.at,
    text: files.length === 0 ? message.text : [message.text, ...files.map((file) => file.name)].join("\n"),
    link: hasLink(message.text),
  };
  if (files.length > 0) {
    document.file = true;
    document.image = files.some((file) => isRasterImageType(file.type));
  }
  if (message.threadRoot !== undefined) document.threadRoot = message.threadRoot;
  return document;
}

export const INDEX_OPTIONS: Options<SearchDocument> = {
  fields: ["text"],
  storeFields: ["roomId", "author", "createdAt", "text", "link", "file", "image", "threadRoot"],
  tokenize,
  processTerm: (term) => normalizeTerm(term),
};

export type SearchIndex = MiniSearch<SearchDocument>;

export function createSearchIndex(): SearchIndex {
  return new MiniSearch<SearchDocument>(INDEX_OPTIONS);
}

/**
 * Puts a message into the index, replacing an older version (an edit), or takes it out (a deletion).
 * Returns whether the index changed: re-feeding unchanged messages, as every cold start does, costs a
 * lookup each and no re-indexing.
 */
export function upsertSearchDocument(index: SearchIndex, id: string, next: SearchDocument | null): boolean {
  const stored = index.getStoredFields(id);
  if (next === null && !stored) return false;
  if (stored && next && stored.text === next.text && stored.roomId === next.roomId) return false;
  const change = trackChange(index, "text");
  if (stored) {
    change.discarding(id);
    index.discard(id);
  }
  if (next) {
    index.add(next);
    change.added(id);
  }
  change.done();
  return true;
}

export interface SearchHit {
  id: string;
  roomId: string;
  author: string;
  createdAt: number;
  /** Relevance (higher is better); for a query of filters only, all hits score alike. */
  score: number;
  snippet: SnippetPart[];
  /** Set for a reply in a thread: its root's id. */
  threadRoot?: string;
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
  /**
   * Set when `total` and the rooms' totals are lower bounds: the sharded index skipped older history
   * that could not outrank what the list shows, so it did not count its matches.
   */
  atLeast?: boolean;
}

export interface ListLimits {
  maxHits?: number;
  perRoom?: number;
  /** The clock for the recency boost. */
  now?: number;
}

const DAY_MS = 86_400_000;

/** Relative weights of prefix and typo matches (an exact word weighs 1). */
export const SCORING: ScoringOptions = {
  prefixWeight: 0.5,
  fuzzyWeight: 0.3,
  bm25: { k: 1.2, b: 0.7, d: 0.5 },
};

/**
 * Prefix matching from two letters on (every word may still be being typed); one typo per four to
 * five letters from four letters on (at most two). Exact words weigh most, then prefixes, then typos.
 */
export function planTerm(term: string): TermPlan {
  return {
    term,
    prefix: term.length >= 2,
    fuzzy: term.length >= 4 ? Math.min(2, Math.round(term.length * 0.2)) : 0,
  };
}

/** The same matching and weights as MiniSearch search options (for comparing rankings in tests). */
export const MINISEARCH_OPTIONS: SearchOptions = {
  combineWith: "AND",
  prefix: (term) => planTerm(term).prefix,
  fuzzy: (term) => planTerm(term).fuzzy || false,
  maxFuzzy: 2,
  weights: { prefix: SCORING.prefixWeight, fuzzy: SCORING.fuzzyWeight },
  bm25: SCORING.bm25,
};

/** A recent message beats an old one of the same relevance: ×2 today, ×1.5 a month ago, towards ×1. */
export function recencyBoost(createdAt: number, now: number): number {
  const ageDays = Math.max(0, now - createdAt) / DAY_MS;
  return 1 + 1 / (1 + ageDays / 30);
}

/** The list's share of the collected matches: rooms by best hit, at most `maxHits` hits in all. */
export function toResults(collected: Collected, maxHits: number): SearchResults {
  // Hits in score order across rooms, so the overall cap drops the weakest ones.
  const ranked = collected.rooms.flatMap((room) => room.best).sort((a, b) => b.score - a.score);
  const shown = new Set(ranked.slice(0, maxHits));
  const rooms: RoomResults[] = [];
  for (const room of collected.rooms) {
    const hits = room.best.filter((candidate) => shown.has(candidate)).map(toHit);
    if (hits.length > 0) rooms.push({ roomId: room.roomId, hits, total: room.total });
  }
  return { rooms, total: collected.total };
}

function toHit(candidate: Candidate): SearchHit {
  const stored = candidate.stored;
  const hit: SearchHit = {
    id: candidate.id,
    roomId: stored.roomId as string,
    author: stored.author as string,
    createdAt: stored.createdAt as number,
    score: candidate.score,
    snippet: makeSnippet(stored.text as string, new Set(candidate.terms)),
  };
  if (typeof stored.threadRoot === "string") hit.threadRoot = stored.threadRoot;
  return hit;
}
