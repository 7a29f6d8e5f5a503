import SearchableMap from "minisearch/SearchableMap";
import {
  createSearchIndex,
  HITS_PER_ROOM,
  type ListLimits,
  MAX_HITS,
  planTerm,
  recencyBoost,
  SCORING,
  SEARCH_INDEX_FORMAT,
  type SearchDocument,
  type SearchIndex,
  type SearchResults,
  toResults,
  upsertSearchDocument,
} from "./search.ts";
import {
  type Candidate,
  type Collected,
  type ColumnFilter,
  type Columns,
  columnsOf,
  compileFilter,
  type Internals,
  type TermPlan,
} from "./searchExecutor.ts";
import {
  type FrozenJSON,
  type FrozenShard,
  freezeIndex,
  frozenDoc,
  frozenFrequency,
  frozenFromJSON,
  frozenPrefixRange,
  frozenStored,
  frozenTerm,
  frozenToJSON,
  thaw,
} from "./searchFrozenShard.ts";
import type { SearchRequest } from "./searchQuery.ts";
import { normalizeTerm, tokenize } from "./searchSnippet.ts";

/**
 * The search index split by history segment: one MiniSearch index (a shard) per segment of a room, so
 * no index grows past a segment's ~2,000 messages, a sealed segment's shard is built once and
 * persisted on its own, and the newest shards can answer while older ones are still loading.
 *
 * A query visits the shards newest first and ranks as one index would: BM25 with statistics over all
 * loaded shards (how many messages, their average length, in how many a word occurs), times the
 * recency boost. Each shard knows its newest message and the shortest messages in which a word repeats,
 * which bound the best score anything in it can reach; once the list is full and its weakest shown hit
 * outranks that bound, the shard is skipped (and, inside a shard, so are the weak expansions of a
 * prefix or typo). That is what keeps common words and two-letter prefixes fast at a million messages.
 * The order is exact; only the totals become lower bounds (`atLeast`).
 *
 * One ranking difference from MiniSearch: a query word scores a message by its best-matching word
 * (the exact word, a completion of the prefix or a typo of it), not by the sum of all of them, so
 * three words starting with "lu" do not triple a message's score for "lu", and the bound holds.
 */

type TermData = Map<number, Map<number, number>>;

/** Term frequencies from this on share the last slot of a shard's length frontier. */
const MANY = 8;

export function shardKey(roomId: string, segment: number): string {
  return `${roomId}/${segment}`;
}

/** The distinct index terms of a text with how often each occurs, as MiniSearch indexes it. */
function termCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const token of tokenize(text)) {
    const term = normalizeTerm(token);
    if (term) counts.set(term, (counts.get(term) ?? 0) + 1);
  }
  return counts;
}

export class SearchShard {
  readonly key: string;
  /** Time of its newest and oldest message (the newest bounds the recency boost). */
  newest = Number.NEGATIVE_INFINITY;
  oldest = Number.POSITIVE_INFINITY;
  /**
   * `minLength[f - 1]`: the fewest words of a message in which some word occurs f times (the last
   * slot: `MANY` times or more). BM25's term part grows with frequency and shrinks with length, so
   * this bounds the term part of any word here. A deletion leaves it as it was: still a bound.
   */
  minLength: number[] = new Array(MANY).fill(Number.POSITIVE_INFINITY);
  /** Changed since it was last persisted. */
  dirty = false;

  readonly roomId: string;
  readonly segment: number;
  /** The shard while it takes changes (a MiniSearch index)… */
  live: SearchIndex | null;
  /** …or once it stopped changing, in flat arrays (searchFrozenShard.ts): one of the two is set. */
  frozen: FrozenShard | null = null;

  constructor(roomId: string, segment: number, live: SearchIndex | null = createSearchIndex()) {
    this.roomId = roomId;
    this.segment = segment;
    this.live = live;
    this.key = shardKey(roomId, segment);
  }

  get documentCount(): number {
    return this.live ? this.live.documentCount : (this.frozen?.ids.length ?? 0);
  }

  /** The shard as a MiniSearch index, thawing it if it was frozen (a change to an old message). */
  writable(): SearchIndex {
    if (!this.live) {
      this.live = this.frozen ? thaw(this.frozen) : createSearchIndex();
      this.frozen = null;
    }
    return this.live;
  }

  /** Into flat arrays: a tenth of the memory, for a shard that no longer changes. */
  freeze(): void {
    if (!this.live) return;
    this.frozen = freezeIndex(this.live, this.roomId);
    this.live = null;
  }
}

/** A shard as one string to persist (frozen form), with what bounds its scores. */
export function serializeShard(shard: SearchShard): string {
  const finite = (value: number) => (Number.isFinite(value) ? value : null);
  const frozen = shard.frozen ?? freezeIndex(shard.live!, shard.roomId);
  return JSON.stringify({
    format: SEARCH_INDEX_FORMAT,
    roomId: shard.roomId,
    segment: shard.segment,
    newest: finite(shard.newest),
    oldest: finite(shard.oldest),
    minLength: shard.minLength.map(finite),
    shard: frozenToJSON(frozen),
  });
}

/** Reads a persisted shard (frozen), or null when it is of another format or damaged (it is then rebuilt). */
export function loadShard(serialized: string): SearchShard | null {
  try {
    const parsed = JSON.parse(serialized) as {
      format?: unknown;
      roomId?: unknown;
      segment?: unknown;
      newest?: number | null;
      oldest?: number | null;
      minLength?: Array<number | null>;
      shard?: FrozenJSON;
    };
    if (
      parsed.format !== SEARCH_INDEX_FORMAT ||
      typeof parsed.roomId !== "string" ||
      typeof parsed.segment !== "number" ||
      typeof parsed.shard !== "object" ||
      parsed.shard === null ||
      !Array.isArray(parsed.minLength) ||
      parsed.minLength.length !== MANY
    )
      return null;
    const shard = new SearchShard(parsed.roomId, parsed.segment, null);
    shard.frozen = frozenFromJSON(parsed.shard, parsed.roomId);
    shard.newest = parsed.newest ?? Number.NEGATIVE_INFINITY;
    shard.oldest = parsed.oldest ?? Number.POSITIVE_INFINITY;
    shard.minLength = parsed.minLength.map((value) => value ?? Number.POSITIVE_INFINITY);
    return shard;
  } catch {
    return null;
  }
}

/** A word of the index that a query word matches (itself, a completion of it, or a typo of it). */
interface Expansion {
  term: string;
  /** Weight × idf: what this expansion adds per unit of BM25's term part. */
  impact: number;
  /** In how many messages it occurs. */
  frequency: number;
}

/** A query word with what it matches, strongest first, and the same by term. */
interface Word {
  plan: TermPlan;
  expansions: Expansion[];
  byTerm: Map<string, Expansion>;
}

/**
 * A prefix with more completions than this is expanded in a frozen shard from the shard's own words
 * (a range of its sorted list) rather than by looking each completion up: most are not there.
 */
const MANY_COMPLETIONS = 32;

/** At most how many messages a query word matches (all its expansions'). */
function messagesWith(expansions: readonly Expansion[]): number {
  return expansions.reduce((sum, expansion) => sum + expansion.frequency, 0);
}

/**
 * The words of the vocabulary a query word matches, strongest first: the word itself weighs 1, a
 * completion less the more it adds, a typo less still (MiniSearch's weights); rarer words weigh more.
 */
function expand(
  vocabulary: SearchableMap<true>,
  frequencies: ReadonlyMap<string, number>,
  plan: TermPlan,
  documents: number,
): Expansion[] {
  const expansions: Expansion[] = [];
  const add = (term: string, weight: number) => {
    const frequency = frequencies.get(term) ?? 1;
    const idf = Math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5));
    expansions.push({ term, impact: weight * idf, frequency });
  };
  if (frequencies.has(plan.term)) add(plan.term, 1);
  if (plan.prefix)
    for (const term of vocabulary.atPrefix(plan.term).keys()) {
      const distance = term.length - plan.term.length;
      if (distance === 0) continue;
      add(term, (SCORING.prefixWeight * term.length) / (term.length + 0.3 * distance));
    }
  if (plan.fuzzy > 0)
    for (const [term, [, distance]] of vocabulary.fuzzyGet(plan.term, plan.fuzzy)) {
      // Exact and prefix matches are already counted, with their better weights.
      if (distance === 0 || (plan.prefix && term.startsWith(plan.term))) continue;
      add(term, (SCORING.fuzzyWeight * term.length) / (term.length + distance));
    }
  return expansions.sort((a, b) => b.impact - a.impact);
}

interface Slot {
  score: number;
  candidate: () => Candidate;
}

/** The best hits per room across shards, and the score a new hit must beat to be shown. */
class Gather {
  readonly rooms = new Map<string, { best: Slot[]; total: number }>();
  total = 0;
  private slots = 0;
  private cached: number | null = null;
  private readonly perRoom: number;
  private readonly maxHits: number;

  constructor(perRoom: number, maxHits: number) {
    this.perRoom = perRoom;
    this.maxHits = maxHits;
  }

  add(roomId: string, score: number, candidate: () => Candidate): void {
    this.total++;
    let room = this.rooms.get(roomId);
    if (!room) {
      room = { best: [], total: 0 };
      this.rooms.set(roomId, room);
    }
    room.total++;
    const best = room.best;
    if (best.length === this.perRoom && best[best.length - 1]!.score >= score) return;
    let at = best.length;
    while (at > 0 && best[at - 1]!.score < score) at--;
    best.splice(at, 0, { score, candidate });
    if (best.length > this.perRoom) best.pop();
    else this.slots++;
    this.cached = null;
  }

  /**
   * The `maxHits`-th best score among the rooms' best: a hit scoring no more is not shown, and cannot
   * change what is (it could only push out a room's hit that was already below it).
   */
  threshold(): number {
    if (this.slots < this.maxHits) return Number.NEGATIVE_INFINITY;
    if (this.cached === null) {
      const scores: number[] = [];
      for (const room of this.rooms.values()) for (const slot of room.best) scores.push(slot.score);
      scores.sort((a, b) => b - a);
      this.cached = scores[this.maxHits - 1]!;
    }
    return this.cached;
  }

  collected(): Collected {
    const rooms: Collected["rooms"] = [];
    for (const [roomId, room] of this.rooms)
      rooms.push({ roomId, total: room.total, best: room.best.map((slot) => slot.candidate()) });
    rooms.sort((a, b) => b.best[0]!.score - a.best[0]!.score);
    return { rooms, total: this.total };
  }
}

/** Per-document scratch reused across shards and queries (zeroed after each use). */
let scratch = {
  score: new Float64Array(0),
  termBest: new Float64Array(0),
  matched: new Uint32Array(0),
};

function scratchFor(size: number): typeof scratch {
  if (scratch.score.length < size) {
    const capacity = Math.max(size, Math.ceil(scratch.score.length * 1.5));
    scratch = {
      score: new Float64Array(capacity),
      termBest: new Float64Array(capacity),
      matched: new Uint32Array(capacity),
    };
  }
  return scratch;
}

export class ShardedSearchIndex {
  private readonly shards = new Map<string, SearchShard>();
  /** The shards newest first; recomputed when one is added or removed or its newest message changes. */
  private order: SearchShard[] | null = null;
  /** Over every shard, so that scores compare across shards as in one index. */
  private documents = 0;
  private totalLength = 0;
  /** In how many messages of all shards each word occurs. */
  private readonly frequency = new Map<string, number>();
  /**
   * The same words as a radix tree: a query's prefixes and typos are expanded here once, not in each
   * shard's own tree, and each shard is then asked for exact words only. Touched only when a word
   * appears or disappears (the map above counts).
   */
  private readonly vocabulary = new SearchableMap<true>();

  get documentCount(): number {
    return this.documents;
  }

  get shardCount(): number {
    return this.shards.size;
  }

  shard(key: string): SearchShard | undefined {
    return this.shards.get(key);
  }

  list(): SearchShard[] {
    return [...this.shards.values()];
  }

  /**
   * Puts a message into its segment's shard, replacing an older version (an edit), or takes it out (a
   * deletion). Returns whether anything changed: re-feeding unchanged messages costs a lookup each.
   */
  upsert(roomId: string, segment: number, id: string, next: SearchDocument | null): boolean {
    const key = shardKey(roomId, segment);
    let shard = this.shards.get(key);
    if (!shard) {
      if (next === null) return false;
      shard = new SearchShard(roomId, segment);
      this.shards.set(key, shard);
      this.order = null;
    }
    const stored = this.storedText(shard, id);
    if (next === null && stored === undefined) return false;
    if (stored !== undefined && next && stored === next.text) return false;
    const index = shard.writable();
    if (stored !== undefined) this.count(shard, id, stored, -1);
    upsertSearchDocument(index, id, next);
    if (next) {
      const counts = this.count(shard, id, next.text, 1);
      let most = 0;
      for (const times of counts.values()) most = Math.max(most, times);
      const length = this.lengthOf(shard, id);
      const slot = Math.min(most, MANY) - 1;
      if (slot >= 0 && length < shard.minLength[slot]!) shard.minLength[slot] = length;
      if (next.createdAt > shard.newest) {
        shard.newest = next.createdAt;
        this.order = null;
      }
      if (next.createdAt < shard.oldest) shard.oldest = next.createdAt;
    }
    shard.dirty = true;
    return true;
  }

  /** Adds a shard loaded from the device (replacing one of the same segment). */
  addShard(shard: SearchShard): void {
    const existing = this.shards.get(shard.key);
    if (existing) this.removeShard(existing.key);
    this.shards.set(shard.key, shard);
    this.order = null;
    this.countShard(shard, 1);
  }

  removeShard(key: string): boolean {
    const shard = this.shards.get(key);
    if (!shard) return false;
    this.countShard(shard, -1);
    this.shards.delete(key);
    this.order = null;
    return true;
  }

  /** Removes the shards of every room not in `keep` (the person left it or lost access); returns their keys. */
  dropRoomsExcept(keep: ReadonlySet<string>): string[] {
    const gone = [...this.shards.values()].filter((shard) => !keep.has(shard.roomId)).map((s) => s.key);
    for (const key of gone) this.removeShard(key);
    return gone;
  }

  /** Runs a request over the loaded shards and groups the hits by room, as `searchMessages` does over one index. */
  search(request: SearchRequest, limits: ListLimits = {}): SearchResults {
    const now = limits.now ?? Date.now();
    const maxHits = limits.maxHits ?? MAX_HITS;
    const filter = request.filter;
    const perRoom = Math.min(
      maxHits,
      limits.perRoom ?? (filter.rooms?.length === 1 ? maxHits : HITS_PER_ROOM),
    );
    const gather = new Gather(perRoom, maxHits);
    const since = filter.since ?? Number.NEGATIVE_INFINITY;
    const until = filter.until ?? Number.POSITIVE_INFINITY;
    const rooms = filter.rooms ? new Set(filter.rooms) : null;
    // A shard of another room, or wholly outside the dates, holds no match at all.
    const shards = this.ordered().filter(
      (shard) =>
        (!rooms || rooms.has(shard.roomId)) &&
        shard.newest >= since &&
        shard.oldest < until &&
        shard.documentCount > 0,
    );
    let skipped = false;
    if (request.words.length === 0) {
      const filtered =
        filter.authors !== null ||
        filter.rooms !== null ||
        filter.since !== null ||
        filter.until !== null ||
        filter.hasLink ||
        filter.hasFile === true ||
        filter.hasImage === true;
      if (!filtered) return { rooms: [], total: 0 };
      for (const shard of shards) {
        // Newest first: once the list is full of newer messages, no older shard can add to it.
        if (shard.newest <= gather.threshold()) {
          skipped = true;
          break;
        }
        collectNewest(shard, filter, gather);
      }
    } else {
      const terms = tokenize(request.words.join(" ")).map(normalizeTerm);
      if (terms.length === 0) return { rooms: [], total: 0 };
      // Bits of a 32-bit mask record which terms a message matched: longer queries use their first 31.
      const words: Word[] = terms
        .map(planTerm)
        .slice(0, 31)
        .map((plan) => {
          const expansions = expand(this.vocabulary, this.frequency, plan, this.documents);
          return {
            plan,
            expansions,
            byTerm: new Map(expansions.map((expansion) => [expansion.term, expansion])),
          };
        })
        // The rarest word first: the others are then looked up for its few matches only.
        .sort((a, b) => messagesWith(a.expansions) - messagesWith(b.expansions));
      // Every word must match: one that no message has means no hit.
      if (words.some((word) => word.expansions.length === 0)) return { rooms: [], total: 0 };
      const averageLength = this.documents > 0 ? this.totalLength / this.documents : 1;
      for (const shard of shards)
        if (scanShard(shard, words, averageLength, filter, now, gather, gather.threshold())) skipped = true;
    }
    const results = toResults(gather.collected(), maxHits);
    if (skipped) results.atLeast = true;
    return results;
  }

  private ordered(): SearchShard[] {
    this.order ??= [...this.shards.values()].sort((a, b) => b.newest - a.newest);
    return this.order;
  }

  /**
   * Freezes every shard but the newest of its room (sealed segments, which take no new messages), at
   * most `limit` of them (the worker freezes one per task) and none that `busy` names (messages for it
   * are still waiting). Returns how many were frozen.
   */
  freezeSealed(limit = Number.POSITIVE_INFINITY, busy: (key: string) => boolean = () => false): number {
    const newest = new Map<string, number>();
    for (const shard of this.shards.values())
      newest.set(shard.roomId, Math.max(newest.get(shard.roomId) ?? -1, shard.segment));
    let frozen = 0;
    for (const shard of this.shards.values()) {
      if (frozen >= limit) break;
      if (shard.live && shard.segment < newest.get(shard.roomId)! && !busy(shard.key)) {
        shard.freeze();
        frozen++;
      }
    }
    return frozen;
  }

  /** A message's indexed text, or undefined when the shard does not hold it. */
  private storedText(shard: SearchShard, id: string): string | undefined {
    if (shard.live) return shard.live.getStoredFields(id)?.text as string | undefined;
    if (!shard.frozen) return undefined;
    const doc = frozenDoc(shard.frozen, id);
    return doc === -1 ? undefined : shard.frozen.texts[doc];
  }

  private lengthOf(shard: SearchShard, id: string): number {
    const internals = shard.live as unknown as Internals;
    const doc = internals._idToShortId.get(id);
    return doc === undefined ? 0 : (internals._fieldLength.get(doc)?.[internals._fieldIds.text!] ?? 0);
  }

  /** Adds (or with -1, removes) one message's share of the statistics; call before discarding it. */
  private count(shard: SearchShard, id: string, text: string, sign: 1 | -1): Map<string, number> {
    const counts = termCounts(text);
    this.documents += sign;
    this.totalLength += sign * this.lengthOf(shard, id);
    for (const term of counts.keys()) this.countTerm(term, sign);
    return counts;
  }

  /** Adds (or removes) a whole shard's share of the statistics. */
  private countShard(shard: SearchShard, sign: 1 | -1): void {
    const frozen = shard.frozen;
    if (frozen) {
      this.documents += sign * frozen.ids.length;
      for (const length of frozen.columns.length) this.totalLength += sign * length;
      frozen.terms.forEach((term, i) => {
        this.countTerm(term, sign * (frozen.starts[i + 1]! - frozen.starts[i]!));
      });
      return;
    }
    const internals = shard.live as unknown as Internals;
    const fieldId = internals._fieldIds.text!;
    this.documents += sign * internals._documentCount;
    for (const lengths of internals._fieldLength.values()) this.totalLength += sign * (lengths[fieldId] ?? 0);
    // Discarded messages stay in the postings until a vacuum: count only the live ones then.
    const clean = (internals as unknown as { _dirtCount: number })._dirtCount === 0;
    const entries = (internals._index as unknown as { entries(): Iterable<[string, TermData]> }).entries();
    for (const [term, data] of entries) {
      const postings = data.get(fieldId);
      if (!postings) continue;
      let live = postings.size;
      if (!clean) {
        live = 0;
        for (const doc of postings.keys()) if (internals._documentIds.has(doc)) live++;
      }
      if (live > 0) this.countTerm(term, sign * live);
    }
  }

  private countTerm(term: string, change: number): void {
    const before = this.frequency.get(term) ?? 0;
    const next = before + change;
    if (next > 0) {
      this.frequency.set(term, next);
      if (before === 0) this.vocabulary.set(term, true);
    } else {
      this.frequency.delete(term);
      if (before > 0) this.vocabulary.delete(term);
    }
  }
}

/**
 * The most BM25's term part (d + f·(k+1)/(f + k·(1 − b + b·length/average))) can be for any word of
 * any message of the shard, from its frontier of shortest messages by repetition.
 */
function termPartBound(shard: SearchShard, base: number, perWord: number): number {
  const { k, d } = SCORING.bm25;
  let bound = 0;
  for (let slot = 0; slot < MANY; slot++) {
    const length = shard.minLength[slot]!;
    if (!Number.isFinite(length)) continue;
    const f = slot + 1;
    // The last slot holds every frequency from MANY on: its limit as the frequency grows.
    const part = slot === MANY - 1 ? d + k + 1 : d + (f * (k + 1)) / (f + base + perWord * length);
    if (part > bound) bound = part;
  }
  return bound;
}

/**
 * Scores one shard's matches into `gather`, skipping what cannot score above `threshold`. Returns
 * whether anything that matches may have been skipped (the totals are then lower bounds).
 */
function scanShard(
  shard: SearchShard,
  words: readonly Word[],
  averageLength: number,
  filter: ColumnFilter,
  now: number,
  gather: Gather,
  threshold: number,
): boolean {
  const { k, b, d } = SCORING.bm25;
  const base = k * (1 - b);
  const perWord = (k * b) / (averageLength || 1);
  const ceiling = recencyBoost(shard.newest, now) * termPartBound(shard, base, perWord);
  const strongest = words.map((word) => word.expansions[0]!.impact);
  const strongestSum = strongest.reduce((sum, value) => sum + value, 0);
  if (ceiling * strongestSum <= threshold) return true;

  const view = viewOf(shard);
  const { live, length, createdAt } = view.columns;
  const { score, termBest, matched } = scratchFor(view.size);
  const touched: number[] = [];
  const used: Array<{ term: string; has: (doc: number) => boolean }> = [];
  /** The messages that matched every word so far. */
  let alive: number[] = [];
  let skipped = false;
  try {
    for (let i = 0; i < words.length; i++) {
      const bit = 1 << i;
      const before = bit - 1;
      const others = strongestSum - strongest[i]!;
      const inTerm: number[] = [];
      let impact = 0;
      const visit = (doc: number, frequency: number) => {
        if (i > 0 && (matched[doc]! & before) !== before) return;
        // Discarded and not yet vacuumed.
        if (live[doc] !== 1) return;
        const value = impact * (d + (frequency * (k + 1)) / (frequency + base + perWord * length[doc]!));
        if (termBest[doc] === 0) {
          inTerm.push(doc);
          if (i === 0) touched.push(doc);
        }
        if (value > termBest[doc]!) termBest[doc] = value;
      };
      const word = words[i]!;
      const use = (expansion: Expansion, postings: Postings) => {
        impact = expansion.impact;
        used.push({ term: expansion.term, has: (doc) => postings.frequencyOf(doc) > 0 });
        // A later word only matters for the messages that matched the earlier ones: when they are
        // few, look each up rather than walk a long list.
        if (i > 0 && postings.size > alive.length * 8)
          for (const doc of alive) {
            const frequency = postings.frequencyOf(doc);
            if (frequency > 0) visit(doc, frequency);
          }
        else postings.forEach(visit);
      };
      // A message matching this word only through expansions this weak cannot be shown.
      const weak = (expansion: Expansion) => ceiling * (others + expansion.impact) <= threshold;
      const frozen = shard.frozen;
      const fromShard = frozen !== null && word.plan.prefix && word.expansions.length > MANY_COMPLETIONS;
      if (fromShard) {
        const [from, to] = frozenPrefixRange(frozen, word.plan.term);
        for (let at = from; at < to; at++) {
          const expansion = word.byTerm.get(frozen.terms[at]!);
          if (!expansion) continue;
          if (weak(expansion)) skipped = true;
          else use(expansion, frozenPostings(frozen, at));
        }
      }
      for (const expansion of word.expansions) {
        // Weaker expansions follow.
        if (weak(expansion)) {
          skipped = true;
          break;
        }
        // Completions (and the word itself) were taken from the shard's own words above.
        if (fromShard && expansion.term.startsWith(word.plan.term)) continue;
        const postings = view.postings(expansion.term);
        if (postings) use(expansion, postings);
      }
      alive = inTerm;
      // A later word only looks at messages that matched the earlier ones: none here.
      if (inTerm.length === 0) break;
      for (const doc of inTerm) {
        score[doc]! += termBest[doc]!;
        termBest[doc] = 0;
        matched[doc]! |= bit;
      }
    }
    const all = 2 ** words.length - 1;
    const keep = compileFilter(view.columns, filter);
    for (const doc of touched) {
      if (matched[doc] !== all || (keep && !keep(doc))) continue;
      const value = score[doc]! * recencyBoost(createdAt[doc]!, now);
      gather.add(shard.roomId, value, () => ({
        ...view.hit(doc),
        score: value,
        terms: used.filter((expansion) => expansion.has(doc)).map((expansion) => expansion.term),
      }));
    }
  } finally {
    for (const doc of touched) {
      score[doc] = 0;
      matched[doc] = 0;
    }
  }
  return skipped;
}

/** One shard, live or frozen, as a query reads it. */
interface Postings {
  size: number;
  forEach(visit: (doc: number, frequency: number) => void): void;
  /** How often the word occurs in a message (0: not at all). */
  frequencyOf(doc: number): number;
}

interface ShardView {
  columns: Columns;
  /** Local numbers are below this. */
  size: number;
  /** A word's postings, or null when the shard lacks the word. */
  postings(term: string): Postings | null;
  hit(doc: number): { id: string; stored: Record<string, unknown> };
}

function frozenPostings(frozen: FrozenShard, at: number): Postings {
  const { starts, docs, frequencies } = frozen;
  const start = starts[at]!;
  const end = starts[at + 1]!;
  return {
    size: end - start,
    forEach(visit) {
      for (let p = start; p < end; p++) visit(docs[p]!, frequencies[p]!);
    },
    frequencyOf: (doc) => frozenFrequency(frozen, at, doc),
  };
}

function viewOf(shard: SearchShard): ShardView {
  const frozen = shard.frozen;
  if (frozen) {
    return {
      columns: frozen.columns,
      size: frozen.ids.length,
      postings(term) {
        const at = frozenTerm(frozen, term);
        return at === -1 ? null : frozenPostings(frozen, at);
      },
      hit: (doc) => ({ id: frozen.ids[doc]!, stored: frozenStored(frozen, doc) }),
    };
  }
  const internals = shard.live as unknown as Internals;
  const fieldId = internals._fieldIds.text!;
  return {
    columns: columnsOf(internals, fieldId),
    size: internals._nextId,
    postings(term) {
      const postings = internals._index.get(term)?.get(fieldId);
      if (!postings) return null;
      return {
        size: postings.size,
        forEach(visit) {
          for (const [doc, frequency] of postings) visit(doc, frequency);
        },
        frequencyOf: (doc) => postings.get(doc) ?? 0,
      };
    },
    hit: (doc) => ({
      id: internals._documentIds.get(doc) as string,
      stored: internals._storedFields.get(doc)!,
    }),
  };
}

/** Every live message of the shard that passes the filter, scored by its time (a query of filters only). */
function collectNewest(shard: SearchShard, filter: ColumnFilter, gather: Gather): void {
  const view = viewOf(shard);
  const { live, createdAt } = view.columns;
  const keep = compileFilter(view.columns, filter);
  const end = Math.min(live.length, view.size);
  for (let doc = 0; doc < end; doc++) {
    if (live[doc] !== 1 || (keep && !keep(doc))) continue;
    const at = createdAt[doc]!;
    gather.add(shard.roomId, at, () => ({ ...view.hit(doc), score: at, terms: [] }));
  }
}
