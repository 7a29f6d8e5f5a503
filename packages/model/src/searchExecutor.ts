import type MiniSearch from "minisearch";

/**
 * What a query reads of a MiniSearch index besides its postings: the stored fields as columns indexed
 * by MiniSearch's short document id (built once per version of the index, patched as messages come and
 * go), and a filter compiled over them. The sharded index (searchShards.ts) scores into typed arrays
 * rather than through MiniSearch's own `search`, which makes an object per matching document and sorts
 * them all (100–200 ms for a common word at 100,000 messages). It reads the index's internal maps, so
 * minisearch is pinned to an exact version.
 */

type Postings = Map<number, number>;
type TermData = Map<number, Postings>;

interface RadixMap {
  get(term: string): TermData | undefined;
  atPrefix(prefix: string): Iterable<[string, TermData]>;
  fuzzyGet(term: string, maxDistance: number): Map<string, [TermData, number]>;
}

/** The parts of MiniSearch 7.2's index this reads. */
export interface Internals {
  _index: RadixMap;
  _fieldIds: Record<string, number>;
  _fieldLength: Map<number, number[]>;
  _avgFieldLength: number[];
  _storedFields: Map<number, Record<string, unknown>>;
  _documentIds: Map<number, unknown>;
  _idToShortId: Map<unknown, number>;
  _documentCount: number;
  _nextId: number;
}

export interface TermPlan {
  term: string;
  prefix: boolean;
  /** Largest edit distance for typo matches, 0 for none. */
  fuzzy: number;
}

export interface ScoringOptions {
  prefixWeight: number;
  fuzzyWeight: number;
  bm25: { k: number; b: number; d: number };
}

/** Which messages count: null means no restriction (the shape of `SearchFilter`). */
export interface ColumnFilter {
  authors: readonly string[] | null;
  rooms: readonly string[] | null;
  since: number | null;
  until: number | null;
  hasLink: boolean;
  hasFile?: boolean;
  hasImage?: boolean;
}

export interface Candidate {
  id: string;
  score: number;
  stored: Record<string, unknown>;
  /** The document terms (after prefix and typo expansion) it matched. */
  terms: string[];
}

export interface Collected {
  /** Rooms in the order of their best candidate, each with at most `perRoom` candidates, best first. */
  rooms: Array<{ roomId: string; best: Candidate[]; total: number }>;
  total: number;
}

/** What the index's stored fields say, as columns indexed by MiniSearch's short document id. */
export interface Columns {
  /** `_nextId/_documentCount` when the columns last matched the index. */
  version: string;
  live: Uint8Array;
  /** Words in the document's text field. */
  length: Float64Array;
  createdAt: Float64Array;
  room: Int32Array;
  author: Int32Array;
  link: Uint8Array;
  file: Uint8Array;
  image: Uint8Array;
  rooms: string[];
  roomCodes: Map<string, number>;
  authors: string[];
  authorCodes: Map<string, number>;
}

const columnCache = new WeakMap<object, Columns>();

const versionOf = (internals: Internals) => `${internals._nextId}/${internals._documentCount}`;

function code(values: string[], codes: Map<string, number>, value: string): number {
  let found = codes.get(value);
  if (found === undefined) {
    found = values.length;
    values.push(value);
    codes.set(value, found);
  }
  return found;
}

function allocate(capacity: number, from?: Columns): Columns {
  const columns: Columns = {
    version: from?.version ?? "",
    live: new Uint8Array(capacity),
    length: new Float64Array(capacity),
    createdAt: new Float64Array(capacity),
    room: new Int32Array(capacity),
    author: new Int32Array(capacity),
    link: new Uint8Array(capacity),
    file: new Uint8Array(capacity),
    image: new Uint8Array(capacity),
    rooms: from?.rooms ?? [],
    roomCodes: from?.roomCodes ?? new Map(),
    authors: from?.authors ?? [],
    authorCodes: from?.authorCodes ?? new Map(),
  };
  if (from) {
    columns.live.set(from.live);
    columns.length.set(from.length);
    columns.createdAt.set(from.createdAt);
    columns.room.set(from.room);
    columns.author.set(from.author);
    columns.link.set(from.link);
    columns.file.set(from.file);
    columns.image.set(from.image);
  }
  return columns;
}

function setRow(columns: Columns, doc: number, length: number, stored: Record<string, unknown>): void {
  columns.live[doc] = 1;
  columns.length[doc] = length;
  columns.createdAt[doc] = stored.createdAt as number;
  columns.room[doc] = code(columns.rooms, columns.roomCodes, stored.roomId as string);
  columns.author[doc] = code(columns.authors, columns.authorCodes, stored.author as string);
  columns.link[doc] = stored.link === true ? 1 : 0;
  columns.file[doc] = stored.file === true ? 1 : 0;
  columns.image[doc] = stored.image === true ? 1 : 0;
}

/** The columns for the index as it is now; built in one pass over the stored fields when missing or out of date. */
export function columnsOf(internals: Internals, fieldId: number): Columns {
  const version = versionOf(internals);
  const cached = columnCache.get(internals);
  if (cached?.version === version) return cached;
  const columns = allocate(Math.ceil(internals._nextId * 1.25) + 64);
  for (const [doc, lengths] of internals._fieldLength) {
    const stored = internals._storedFields.get(doc);
    if (stored) setRow(columns, doc, lengths[fieldId] ?? 0, stored);
  }
  columns.version = version;
  columnCache.set(internals, columns);
  return columns;
}

/**
 * Keeps the columns in step as messages come and go, so a query after a new message does not rebuild
 * them: call `before` ahead of discarding a document and `after` once it was added or discarded.
 */
export function trackChange(index: MiniSearch, field: string) {
  const internals = index as unknown as Internals;
  const columns = columnCache.get(internals);
  // Only columns that were current before the change can be patched; others are rebuilt when next needed.
  const current = columns?.version === versionOf(internals) ? columns : undefined;
  return {
    discarding(id: string): void {
      const doc = internals._idToShortId.get(id);
      if (current && doc !== undefined) current.live[doc] = 0;
    },
    added(id: string): void {
      const doc = internals._idToShortId.get(id);
      const stored = doc === undefined ? undefined : internals._storedFields.get(doc);
      if (!current || doc === undefined || !stored) return;
      let target = current;
      if (doc >= target.live.length) {
        target = allocate(Math.ceil((doc + 1) * 1.25) + 64, current);
        columnCache.set(internals, target);
      }
      setRow(target, doc, internals._fieldLength.get(doc)?.[internals._fieldIds[field]!] ?? 0, stored);
    },
    done(): void {
      const latest = columnCache.get(internals);
      if (current && latest) latest.version = versionOf(internals);
    },
  };
}

/** A predicate over short ids for the filter, or null when everything passes. */
export function compileFilter(columns: Columns, filter: ColumnFilter): ((doc: number) => boolean) | null {
  const allowed = (values: readonly string[] | null, known: string[]) => {
    if (!values) return null;
    const wanted = new Set(values);
    return Uint8Array.from(known, (value) => (wanted.has(value) ? 1 : 0));
  };
  const rooms = allowed(filter.rooms, columns.rooms);
  const authors = allowed(filter.authors, columns.authors);
  const since = filter.since ?? -Infinity;
  const until = filter.until ?? Infinity;
  const needsLink = filter.hasLink;
  const needsFile = filter.hasFile === true;
  const needsImage = filter.hasImage === true;
  if (
    !rooms &&
    !authors &&
    since === -Infinity &&
    until === Infinity &&
    !needsLink &&
    !needsFile &&
    !needsImage
  )
    return null;
  const { room, author, createdAt, link, file, image } = columns;
  return (doc) =>
    (!rooms || rooms[room[doc]!] === 1) &&
    (!authors || authors[author[doc]!] === 1) &&
    createdAt[doc]! >= since &&
    createdAt[doc]! < until &&
    (!needsLink || link[doc] === 1) &&
    (!needsFile || file[doc] === 1) &&
    (!needsImage || image[doc] === 1);
}
