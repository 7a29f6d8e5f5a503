import type MiniSearch from "minisearch";

/**
 * Runs a message query over a MiniSearch index and keeps only what the results list can show.
 *
 * MiniSearch's own `search` scores every matching document into an object, copies its stored fields
 * into it and sorts them all: with 100,000 messages a common word matches most of them and that alone
 * takes 100–200 ms. The list shows 40 hits, so this scores into typed arrays (no object per document),
 * filters on columns of the stored fields (built once per version of the index), and keeps the best
 * few per room. Scoring is MiniSearch's (BM25 with its prefix and typo weights; `search.test.ts` checks
 * that it ranks as MiniSearch does). It reads the index's internal maps, so minisearch is pinned to an
 * exact version.
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

/** Per-document scores and matched-term masks, reused across queries (zeroed after each) to spare the garbage collector. */
let scratch = { score: new Float64Array(0), matched: new Uint32Array(0) };

export function scratchFor(size: number): typeof scratch {
  if (scratch.score.length < size) {
    const capacity = Math.max(size, Math.ceil(scratch.score.length * 1.5));
    scratch = { score: new Float64Array(capacity), matched: new Uint32Array(capacity) };
  }
  return scratch;
}

export interface Slot {
  doc: number;
  score: number;
}

/** Keeps the best `limit` slots of one room, best first, in a small sorted array. */
export function insertBest(best: Slot[], slot: Slot, limit: number): void {
  if (best.length === limit && best[limit - 1]!.score >= slot.score) return;
  let at = best.length;
  while (at > 0 && best[at - 1]!.score < slot.score) at--;
  best.splice(at, 0, slot);
  if (best.length > limit) best.pop();
}

export interface CollectOptions {
  field: string;
  filter: ColumnFilter;
  /** Multiplies a document's relevance, from its creation time (recency). */
  boost: (createdAt: number) => number;
  perRoom: number;
}

function group(
  internals: Internals,
  columns: Columns,
  eachCandidate: (visit: (doc: number, score: number) => void) => void,
  keep: ((doc: number) => boolean) | null,
  perRoom: number,
  termsOf: (doc: number) => string[],
): Collected {
  const totals = new Int32Array(columns.rooms.length);
  const best: Slot[][] = columns.rooms.map(() => []);
  let total = 0;
  eachCandidate((doc, score) => {
    if (keep && !keep(doc)) return;
    total++;
    const room = columns.room[doc]!;
    totals[room]!++;
    const slots = best[room]!;
    if (slots.length < perRoom || slots[slots.length - 1]!.score < score)
      insertBest(slots, { doc, score }, perRoom);
  });
  const rooms: Collected["rooms"] = [];
  for (let room = 0; room < best.length; room++) {
    const slots = best[room]!;
    if (slots.length === 0) continue;
    rooms.push({
      roomId: columns.rooms[room]!,
      total: totals[room]!,
      best: slots.map((slot) => ({
        id: internals._documentIds.get(slot.doc) as string,
        score: slot.score,
        stored: internals._storedFields.get(slot.doc)!,
        terms: termsOf(slot.doc),
      })),
    });
  }
  rooms.sort((a, b) => b.best[0]!.score - a.best[0]!.score);
  return { rooms, total };
}

/** All terms must match (AND); each term's exact, prefix and typo expansions add up, as in MiniSearch. */
export function collectMatches(
  index: MiniSearch,
  plans: readonly TermPlan[],
  scoring: ScoringOptions,
  options: CollectOptions,
): Collected {
  const internals = index as unknown as Internals;
  const fieldId = internals._fieldIds[options.field]!;
  const columns = columnsOf(internals, fieldId);
  const documentCount = internals._documentCount;
  const { k, b, d } = scoring.bm25;
  const { live, length } = columns;
  // BM25's length normalisation k·(1 − b + b·length/average), as a·length + c.
  const perWord = (k * b) / (internals._avgFieldLength[fieldId] || 1);
  const base = k * (1 - b);
  const { score, matched } = scratchFor(internals._nextId);
  const touched: number[] = [];
  const expansions: Array<{ term: string; postings: Postings }> = [];
  // Bits of a 32-bit mask record which terms a document matched: longer queries use their first 31 terms.
  const terms = plans.slice(0, 31);

  terms.forEach((plan, i) => {
    const bit = 1 << i;
    const before = bit - 1;
    const addTerm = (term: string, data: TermData | undefined, weight: number) => {
      const postings = data?.get(fieldId);
      if (!postings || postings.size === 0) return;
      expansions.push({ term, postings });
      const idf = Math.log(1 + (documentCount - postings.size + 0.5) / (postings.size + 0.5));
      for (const [doc, frequency] of postings) {
        if (i > 0 && (matched[doc]! & before) !== before) continue;
        // Discarded and not yet vacuumed.
        if (live[doc] !== 1) continue;
        const lengthNorm = base + perWord * length[doc]!;
        score[doc]! += weight * idf * (d + (frequency * (k + 1)) / (frequency + lengthNorm));
        if (matched[doc] === 0) touched.push(doc);
        matched[doc]! |= bit;
      }
    };
    addTerm(plan.term, internals._index.get(plan.term), 1);
    if (plan.prefix)
      for (const [term, data] of internals._index.atPrefix(plan.term)) {
        const distance = term.length - plan.term.length;
        if (distance === 0) continue;
        addTerm(term, data, (scoring.prefixWeight * term.length) / (term.length + 0.3 * distance));
      }
    if (plan.fuzzy > 0)
      for (const [term, [data, distance]] of internals._index.fuzzyGet(plan.term, plan.fuzzy)) {
        // Exact and prefix matches are already counted, with their better weights.
        if (distance === 0 || (plan.prefix && term.startsWith(plan.term))) continue;
        addTerm(term, data, (scoring.fuzzyWeight * term.length) / (term.length + distance));
      }
  });

  const all = 2 ** terms.length - 1;
  const { createdAt } = columns;
  try {
    return group(
      internals,
      columns,
      (visit) => {
        for (const doc of touched)
          if (matched[doc] === all) visit(doc, score[doc]! * options.boost(createdAt[doc]!));
      },
      compileFilter(columns, options.filter),
      options.perRoom,
      (doc) => expansions.filter((e) => e.postings.has(doc)).map((e) => e.term),
    );
  } finally {
    // Leave the scratch arrays zeroed for the next query.
    for (const doc of touched) {
      score[doc] = 0;
      matched[doc] = 0;
    }
  }
}

/** Every live document that passes the filter, newest first (a query of filters only). */
export function collectNewest(index: MiniSearch, options: CollectOptions): Collected {
  const internals = index as unknown as Internals;
  const columns = columnsOf(internals, internals._fieldIds[options.field]!);
  const { live, createdAt } = columns;
  const end = Math.min(live.length, internals._nextId);
  return group(
    internals,
    columns,
    (visit) => {
      for (let doc = 0; doc < end; doc++) if (live[doc] === 1) visit(doc, createdAt[doc]!);
    },
    compileFilter(columns, options.filter),
    options.perRoom,
    () => [],
  );
}
