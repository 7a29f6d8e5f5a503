import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { parseQuery, resolveQuery, SEGMENT_CAPACITY, type SearchVocabulary } from "@chat/model";
import { hasLink, type SearchDocument } from "@chat/model/search";
import { loadShard, type SearchShard, ShardedSearchIndex, serializeShard } from "@chat/model/searchShards";

/**
 * The search benchmark: the same model code the web app's search worker runs (packages/model
 * searchShards.ts), over a synthetic workspace of 100,000 messages in 50 rooms whose words follow Zipf's law
 * like real text (a few words everywhere, most words rare), each room's messages split into history
 * segments of 2,000 as the server seals them, one index shard per segment. Measures building the shards
 * message by message (as messages arrive), their persisted size, loading them back newest first (a cold
 * start: until the first shard answers, until every room's newest does, until all have), and query latency
 * for rare words, common words, two-letter prefixes and filtered queries, with results capped to what
 * the results list shows. Run alone with `npm run bench -- --search-only`.
 */

export interface SearchBenchResult {
  messages: number;
  rooms: number;
  buildMs: number;
  persistedBytes: number;
  serializeMs: number;
  shards: number;
  /** The most messages in one shard. */
  largestShard: number;
  /** Loading the newest shard: search answers from then on. */
  firstShardMs: number;
  /** Loading the newest shard of every room. */
  newestPerRoomMs: number;
  /** Loading every shard. */
  loadMs: number;
  /** How much the JavaScript heap grew while the index was built (the index, and garbage not yet collected). */
  heapBytes: number;
  /** The heap the loaded index takes (every shard frozen, as a cold start has them), garbage collected. */
  loadedHeapBytes: number;
  /** A query right after a new message arrived (the filter columns are patched, not rebuilt). */
  afterChange: { p50: number; p95: number };
  /** Indexing a session's first new message of a room: its open segment's shard is thawed first. */
  thaw: { p50: number; p95: number };
  /** The heap the built index keeps (sealed shards frozen, open segments live), garbage collected. */
  builtHeapBytes: number;
  queries: Array<{
    kind: string;
    examples: string[];
    p50: number;
    p95: number;
    max: number;
    meanHits: number;
    /** Share of the runs that skipped older history (the totals were lower bounds). */
    pruned: number;
  }>;
}

/** A small deterministic generator, so every run searches the same text. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const SYLLABLES =
  "ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo ga ge go ka ke ki ko la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po ra re ri ro ru sa se si so su ta te ti to tu va ve vi wa we ya yo za zu".split(
    " ",
  );

function makeVocabulary(random: () => number, size: number): string[] {
  const words = new Set<string>();
  while (words.size < size) {
    const length = 1 + Math.floor(random() * 4);
    let word = "";
    for (let i = 0; i < length; i++) word += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
    if (word.length >= 3) words.add(word);
  }
  return [...words];
}

/** Picks word ranks with probability ∝ 1/rank (Zipf), by inverting the harmonic cumulative sum. */
function zipfPicker(random: () => number, size: number): () => number {
  const cumulative = new Float64Array(size);
  let sum = 0;
  for (let rank = 0; rank < size; rank++) {
    sum += 1 / (rank + 1);
    cumulative[rank] = sum;
  }
  return () => {
    const target = random() * sum;
    let low = 0;
    let high = size - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (cumulative[mid]! < target) low = mid + 1;
      else high = mid;
    }
    return low;
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function runSearchBench(
  options: { messages?: number; rooms?: number; log?: (line: string) => void } = {},
): SearchBenchResult {
  const messageCount = options.messages ?? 100_000;
  const roomCount = options.rooms ?? 50;
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const random = seeded(42);
  const vocabulary = makeVocabulary(random, 30_000);
  const pickRank = zipfPicker(random, vocabulary.length);
  const users = Array.from({ length: 40 }, (_, i) => ({
    id: `user${String(i).padStart(12, "0")}`,
    username: `person${i}`,
  }));
  const rooms = Array.from({ length: roomCount }, (_, i) => ({
    id: `room${String(i).padStart(12, "0")}`,
    name: `room-${i}`,
  }));
  const start = Date.UTC(2024, 0, 1);
  const span = 365 * 86_400_000;

  const documents: SearchDocument[] = [];
  const frequency = new Map<string, number>();
  for (let i = 0; i < messageCount; i++) {
    const length = 3 + Math.floor(random() * 20);
    const words: string[] = [];
    for (let w = 0; w < length; w++) words.push(vocabulary[pickRank()]!);
    if (random() < 0.05) words.push(`https://example.com/${vocabulary[pickRank()]}`);
    const text = words.join(" ");
    for (const word of new Set(words)) frequency.set(word, (frequency.get(word) ?? 0) + 1);
    documents.push({
      id: `m${String(i).padStart(15, "0")}`,
      roomId: rooms[Math.floor(random() * roomCount)]!.id,
      author: users[Math.floor(random() * users.length)]!.id,
      createdAt: start + Math.floor((i / messageCount) * span),
      text,
      link: hasLink(text),
    });
  }

  // Build as the worker does: one message at a time into its segment's shard, checking for an older version first.
  const inRoom = new Map<string, number>();
  const segmentOf = documents.map((document) => {
    const count = inRoom.get(document.roomId) ?? 0;
    inRoom.set(document.roomId, count + 1);
    return Math.floor(count / SEGMENT_CAPACITY);
  });
  const { buildMs, heapBytes, builtHeapBytes, shards, largestShard, serializeMs, persisted } =
    buildAndPersist(documents, segmentOf);
  const persistedBytes = persisted.reduce((sum, shard) => sum + Buffer.byteLength(shard.text), 0);
  log(
    `search: indexed ${messageCount.toLocaleString("en")} messages into ${shards} shards in ${buildMs.toFixed(0)} ms`,
  );
  collectGarbage();
  const heapBeforeLoad = process.memoryUsage().heapUsed;
  const loaded = new ShardedSearchIndex();
  const unseenRooms = new Set(rooms.map((room) => room.id));
  let firstShardMs = 0;
  let newestPerRoomMs = 0;
  const loadStart = performance.now();
  for (const record of persisted) {
    const shard: SearchShard | null = loadShard(record.text);
    if (!shard) throw new Error("a persisted search shard did not load back");
    loaded.addShard(shard);
    const elapsed = performance.now() - loadStart;
    if (firstShardMs === 0) firstShardMs = elapsed;
    unseenRooms.delete(record.roomId);
    if (unseenRooms.size === 0 && newestPerRoomMs === 0) newestPerRoomMs = elapsed;
  }
  const loadMs = performance.now() - loadStart;
  collectGarbage();
  const loadedHeapBytes = process.memoryUsage().heapUsed - heapBeforeLoad;
  if (loaded.documentCount !== messageCount) throw new Error("the persisted search shards did not load back");
  log(
    `search: persisted ${(persistedBytes / 2 ** 20).toFixed(1)} MiB (serialised in ${serializeMs.toFixed(0)} ms); first shard searchable after ${firstShardMs.toFixed(0)} ms, every room's newest after ${newestPerRoomMs.toFixed(0)} ms, all loaded in ${loadMs.toFixed(0)} ms`,
  );

  const byFrequency = [...frequency.entries()].sort((a, b) => b[1] - a[1]).map(([word]) => word);
  const common = byFrequency.slice(0, 20);
  const rare = byFrequency.filter((word) => (frequency.get(word) ?? 0) <= 3).slice(0, 20);
  const prefixes = [...new Set(byFrequency.slice(0, 400).map((word) => word.slice(0, 2)))].slice(0, 20);
  const known: SearchVocabulary = { me: users[0]!, users, rooms };
  const filtered = common.slice(0, 20).map((word, i) => {
    const filter = [
      `from:${users[i % users.length]!.username}`,
      `in:${rooms[i % rooms.length]!.name}`,
      "after:2024-06-30",
      "has:link",
    ][i % 4];
    return `${filter} ${word}`;
  });
  const kinds = [
    { kind: "rare word", queries: rare },
    { kind: "common word", queries: common },
    { kind: "two-letter prefix", queries: prefixes },
    { kind: "word + filter", queries: filtered },
  ];

  const queries: SearchBenchResult["queries"] = [];
  const now = start + span;
  for (const { kind, queries: texts } of kinds) {
    // A warm-up round, then ten measured rounds of every query.
    for (const text of texts) query(loaded, known, text, now);
    const times: number[] = [];
    let hits = 0;
    let pruned = 0;
    for (let round = 0; round < 10; round++)
      for (const text of texts) {
        const t0 = performance.now();
        const results = query(loaded, known, text, now);
        times.push(performance.now() - t0);
        hits += results.rooms.reduce((sum, room) => sum + room.hits.length, 0);
        if (results.atLeast) pruned++;
      }
    times.sort((a, b) => a - b);
    const row = {
      kind,
      examples: texts.slice(0, 2),
      p50: percentile(times, 50),
      p95: percentile(times, 95),
      max: times[times.length - 1]!,
      meanHits: hits / times.length,
      pruned: pruned / times.length,
    };
    queries.push(row);
    log(
      `search: ${kind}: p50 ${row.p50.toFixed(1)} ms, p95 ${row.p95.toFixed(1)} ms, max ${row.max.toFixed(1)} ms (e.g. "${row.examples.join('", "')}")`,
    );
  }
  // A message arrives, then someone searches: the columns must have been patched, not rebuilt.
  const added = new Map<string, number>();
  const arrive = (i: number) => {
    const room = rooms[i % 20]!.id;
    const position = (inRoom.get(room) ?? 0) + (added.get(room) ?? 0);
    added.set(room, (added.get(room) ?? 0) + 1);
    loaded.upsert(room, Math.floor(position / SEGMENT_CAPACITY), `new${i}`, {
      id: `new${i}`,
      roomId: room,
      author: users[i % users.length]!.id,
      createdAt: now,
      text: `${common[i % common.length]} arriving ${rare[i % rare.length]}`,
      link: false,
    });
  };
  // A session's first message into a room's open segment thaws its shard (loaded frozen): timed apart.
  const thawTimes: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    arrive(i);
    thawTimes.push(performance.now() - t0);
  }
  const changeTimes: number[] = [];
  for (let i = 20; i < 40; i++) {
    arrive(i);
    const t0 = performance.now();
    query(loaded, known, rare[i % rare.length]!, now);
    changeTimes.push(performance.now() - t0);
  }
  changeTimes.sort((a, b) => a - b);
  thawTimes.sort((a, b) => a - b);
  const afterChange = { p50: percentile(changeTimes, 50), p95: percentile(changeTimes, 95) };
  const thaw = { p50: percentile(thawTimes, 50), p95: percentile(thawTimes, 95) };
  log(
    `search: first query after a new message: p50 ${afterChange.p50.toFixed(1)} ms, p95 ${afterChange.p95.toFixed(1)} ms; thawing a room's open segment for its first new message: p50 ${thaw.p50.toFixed(1)} ms`,
  );
  return {
    messages: messageCount,
    heapBytes,
    loadedHeapBytes,
    rooms: roomCount,
    buildMs,
    persistedBytes,
    serializeMs,
    shards,
    largestShard,
    firstShardMs,
    newestPerRoomMs,
    loadMs,
    afterChange,
    thaw,
    builtHeapBytes,
    queries,
  };
}

/**
 * Builds as the worker does, one message at a time into its segment's shard (checking for an older
 * version first), then serialises the shards one a record, newest first, as the worker stores them.
 * Its own function so the built index can be collected before the loaded one is measured.
 */
function buildAndPersist(documents: SearchDocument[], segmentOf: number[]) {
  const heapBefore = process.memoryUsage().heapUsed;
  const buildStart = performance.now();
  const built = new ShardedSearchIndex();
  documents.forEach((document, i) => {
    built.upsert(document.roomId, segmentOf[i]!, document.id, document);
    // As the worker does between slices: sealed segments' shards into their compact form.
    if (i % 1_000 === 999) built.freezeSealed();
  });
  built.freezeSealed();
  const buildMs = performance.now() - buildStart;
  const heapBytes = process.memoryUsage().heapUsed - heapBefore;
  collectGarbage();
  const builtHeapBytes = process.memoryUsage().heapUsed - heapBefore;
  const serializeStart = performance.now();
  const persisted = built
    .list()
    .sort((a, b) => b.newest - a.newest)
    .map((shard) => ({ roomId: shard.roomId, text: serializeShard(shard) }));
  const serializeMs = performance.now() - serializeStart;
  const largestShard = Math.max(...built.list().map((shard) => shard.documentCount));
  return {
    buildMs,
    heapBytes,
    builtHeapBytes,
    shards: built.shardCount,
    largestShard,
    serializeMs,
    persisted,
  };
}

/** A full collection when node runs with --expose-gc (the bench script does), so heap figures hold no garbage. */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function query(index: ShardedSearchIndex, vocabulary: SearchVocabulary, text: string, now: number) {
  return index.search(resolveQuery(parseQuery(text), vocabulary).request, { now });
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

/** The benchmark's section of docs/benchmarks.md. */
export function searchSection(result: SearchBenchResult, note = ""): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  const worst = Math.max(...result.queries.map((q) => q.p95), result.afterChange.p95);
  return `## Search${result.messages === 100_000 ? "" : ` at ${result.messages.toLocaleString("en")} messages`}

${result.messages.toLocaleString("en")} messages over ${result.rooms} rooms (synthetic text, word frequencies following Zipf's law), indexed by the same model code the web app's search worker runs: one shard per history segment (${result.shards} shards, the largest ${result.largestShard.toLocaleString("en")} messages), persisted one a record and loaded newest first. Results capped to what the list shows (40 hits, 5 per room). Goal: p95 under 50 ms (${worst <= 50 ? "met" : "not met"}: worst p95 ${ms(worst)}).

${line(["", "value"])}
${line(["---", "---:"])}
${line(["build (message by message, as they arrive)", ms(result.buildMs)])}
${line(["persisted size (IndexedDB, all shards)", `${(result.persistedBytes / 2 ** 20).toFixed(1)} MiB`])}
${line(["serialise every shard for IndexedDB", ms(result.serializeMs)])}
${line(["cold start: first shard loaded, search answers", ms(result.firstShardMs)])}
${line(["cold start: every room's newest shard loaded", ms(result.newestPerRoomMs)])}
${line(["cold start: every shard loaded (in the background)", ms(result.loadMs)])}
${line(["JavaScript heap while building (the index, and garbage not yet collected)", `${(result.heapBytes / 2 ** 20).toFixed(0)} MiB`])}
${line(["JavaScript heap kept by the built index (sealed shards frozen, open segments live; garbage collected)", `${(result.builtHeapBytes / 2 ** 20).toFixed(0)} MiB`])}
${line(["JavaScript heap of the loaded index (every shard loaded, frozen; garbage collected)", `${(result.loadedHeapBytes / 2 ** 20).toFixed(0)} MiB`])}
${line(["indexing a session's first new message in a room (thaws its open segment's shard, or starts a new one), p50 / p95", `${ms(result.thaw.p50)} / ${ms(result.thaw.p95)}`])}

${line(["query", "example", "p50", "p95", "max", "skipped older history"])}
${line(["---", "---", "---:", "---:", "---:", "---:"])}
${result.queries.map((q) => line([q.kind, `\`${q.examples[0]}\``, ms(q.p50), ms(q.p95), ms(q.max), `${Math.round(q.pruned * 100)}%`])).join("\n")}
${line(["rare word, just after a message arrived", "", ms(result.afterChange.p50), ms(result.afterChange.p95), "", ""])}

Queries run in the browser's search worker, so even the slowest never blocks typing. A query visits the shards newest first; once the list is full and its weakest hit outranks the best any older shard could score (from the shard's newest message and its shortest messages), the older shards are skipped: the hits shown are exactly those of a search of everything, only the count becomes "more than N" (the last column: how often that happened). The filter columns are patched as messages arrive, so a query right after a new message costs no more than any other (the last row).${note ? `\n\n${note}` : ""}
`;
}

/** Replaces the "## Search" section of the benchmarks page (or adds it), leaving the rest as the last full run wrote it. */
export function writeSearchSection(file: URL, section: string): void {
  const current = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n";
  const start = current.indexOf("\n## Search\n");
  let next: string;
  if (start === -1) next = `${current.trimEnd()}\n\n${section}`;
  else {
    const after = current.indexOf("\n## ", start + 1);
    next = `${current.slice(0, start + 1)}${section}${after === -1 ? "" : current.slice(after)}`;
  }
  writeFileSync(file, next);
}
