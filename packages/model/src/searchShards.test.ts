import { describe, expect, it } from "vitest";
import {
  createSearchIndex,
  hasLink,
  MINISEARCH_OPTIONS,
  recencyBoost,
  type SearchDocument,
  type SearchResults,
  upsertSearchDocument,
} from "./search.ts";
import { parseQuery, resolveQuery, type SearchVocabulary } from "./searchQuery.ts";
import { loadShard, ShardedSearchIndex, serializeShard, shardKey } from "./searchShards.ts";

const NOW = Date.UTC(2024, 5, 15, 12);
const DAY = 86_400_000;

const vocabulary: SearchVocabulary = {
  me: { id: "alice", username: "alice" },
  users: ["alice", "bob", "carol"].map((name) => ({ id: name, username: name })),
  rooms: Array.from({ length: 10 }, (_, i) => ({ id: `r${i}`, name: `room${i}` })),
};

const request = (query: string) => resolveQuery(parseQuery(query), vocabulary).request;

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 4_294_967_296;
  };
}

const WORDS = [
  "alpha",
  "alpine",
  "alps",
  "beta",
  "better",
  "bet",
  "gamma",
  "gamut",
  "delta",
  "deltas",
  "lunar",
  "lupin",
  "lumen",
  "lute",
  "lucid",
  "zebra",
  "quartz",
  "onyx",
  "opal",
  "jade",
];

/**
 * 10 rooms of 300 messages over 400 days (enough rooms to fill the list at 5 a room), each room's messages in segments of 50 (one shard each),
 * words drawn with a skew so a few are everywhere and most are rare.
 */
function corpus(): Array<{ segment: number; document: SearchDocument }> {
  const random = seeded(11);
  const perRoom = new Map<string, number>();
  return Array.from({ length: 3_000 }, (_, i) => {
    const roomId = `r${Math.floor(random() * 10)}`;
    const count = perRoom.get(roomId) ?? 0;
    perRoom.set(roomId, count + 1);
    const words = Array.from(
      { length: 2 + Math.floor(random() * 9) },
      () => WORDS[Math.floor(WORDS.length * random() ** 2)]!,
    );
    if (random() < 0.1) words.push("https://example.com/x");
    const text = words.join(" ");
    return {
      segment: Math.floor(count / 50),
      document: {
        id: `m${i}`,
        roomId,
        author: vocabulary.users[i % 3]!.id,
        // Oldest first, as history grows; distinct times so no two hits tie.
        createdAt: NOW - 400 * DAY + i * (400 / 3_000) * DAY + i,
        text,
        link: hasLink(text),
      },
    };
  });
}

function build(items: Array<{ segment: number; document: SearchDocument }>): ShardedSearchIndex {
  const index = new ShardedSearchIndex();
  for (const { segment, document } of items) index.upsert(document.roomId, segment, document.id, document);
  return index;
}

/** What the list shows, from a search that collected every match: 5 per room, 40 in all, rooms by best hit. */
function capped(all: SearchResults, perRoom = 5, maxHits = 40) {
  const best = all.rooms.flatMap((room) => room.hits.slice(0, perRoom));
  const shown = new Set(best.sort((a, b) => b.score - a.score).slice(0, maxHits));
  return all.rooms
    .map((room) => [room.roomId, room.hits.filter((hit) => shown.has(hit)).map((hit) => hit.id)] as const)
    .filter(([, hits]) => hits.length > 0);
}

const shownIds = (results: SearchResults) =>
  results.rooms.map((room) => [room.roomId, room.hits.map((hit) => hit.id)] as const);

describe("the sharded search index", () => {
  const items = corpus();
  const index = build(items);

  it("keeps a shard per history segment, none larger than a segment", () => {
    expect(index.documentCount).toBe(3_000);
    expect(index.shardCount).toBeGreaterThan(30);
    expect(Math.max(...index.list().map((shard) => shard.documentCount))).toBeLessThanOrEqual(50);
  });

  it("shows what searching every shard would show, though it skips older history that cannot outrank it", () => {
    let skippedSome = 0;
    for (const query of [
      "alpha",
      "lu",
      "al",
      "gamma delta",
      "bet",
      "quartz",
      "onix",
      "from:bob alpha",
      "in:room2 beta",
      "has:link lu",
      "after:2024-03-01 alpha",
      "before:2023-12-01 delta",
      "from:carol",
      "in:room3",
    ]) {
      const shown = index.search(request(query), { now: NOW });
      const everything = index.search(request(query), { now: NOW, maxHits: 100_000, perRoom: 100_000 });
      expect(everything.atLeast).toBeUndefined();
      const perRoom = query.startsWith("in:") ? 40 : 5;
      expect(shownIds(shown), query).toEqual(capped(everything, perRoom));
      if (shown.atLeast) skippedSome++;
      else expect(shown.total, query).toBe(everything.total);
    }
    // Common words and prefixes fill the list from recent history and skip the rest.
    expect(skippedSome).toBeGreaterThanOrEqual(8);
  });

  it("scores as MiniSearch does over one index when a word has one match in the vocabulary", async () => {
    const single = createSearchIndex();
    for (const { document } of items) upsertSearchDocument(single, document.id, document);
    await single.vacuum();
    for (const query of ["gamma", "quartz", "gamma quartz"]) {
      const ours = index
        .search(request(query), { now: NOW, maxHits: 100_000, perRoom: 100_000 })
        .rooms.flatMap((room) => room.hits)
        .sort((a, b) => b.score - a.score);
      const theirs = single.search(query, {
        ...MINISEARCH_OPTIONS,
        boostDocument: (_id, _term, stored) => recencyBoost(stored!.createdAt as number, NOW),
      });
      expect(ours.map((hit) => hit.id)).toEqual(theirs.map((result) => result.id));
      const quality = query.split(" ").length;
      for (const [at, result] of theirs.entries())
        expect(ours[at]!.score * quality).toBeCloseTo(result.score, 9);
    }
  });

  it("applies from:, in:, dates and has:link", () => {
    const all = { maxHits: 100_000, perRoom: 100_000, now: NOW };
    const hits = (query: string) =>
      index.search(request(query), all).rooms.flatMap((room) => room.hits.map((hit) => hit.id));
    const byId = new Map(items.map(({ document }) => [document.id, document]));
    for (const id of hits("from:bob lunar")) expect(byId.get(id)!.author).toBe("bob");
    for (const id of hits("in:room4 lunar")) expect(byId.get(id)!.roomId).toBe("r4");
    for (const id of hits("has:link alpha")) expect(byId.get(id)!.link).toBe(true);
    const since = Date.UTC(2024, 2, 1);
    for (const id of hits("after:2024-03-01 alpha"))
      expect(byId.get(id)!.createdAt).toBeGreaterThanOrEqual(since);
    expect(hits("from:bob lunar").length).toBeGreaterThan(0);
    expect(hits("in:room4 lunar").length).toBeGreaterThan(0);
    // Filters alone: the newest first.
    const newest = index.search(request("from:carol"), { now: NOW }).rooms.flatMap((room) => room.hits);
    const carol = items.filter(({ document }) => document.author === "carol").map(({ document }) => document);
    expect(Math.max(...newest.map((hit) => hit.createdAt))).toBe(Math.max(...carol.map((d) => d.createdAt)));
  });
});

describe("keeping the shards current", () => {
  const doc = (id: string, roomId: string, text: string, daysAgo = 1): SearchDocument => ({
    id,
    roomId,
    author: "alice",
    createdAt: NOW - daysAgo * DAY,
    text,
    link: hasLink(text),
  });
  const ids = (index: ShardedSearchIndex, query: string) =>
    index.search(request(query), { now: NOW }).rooms.flatMap((room) => room.hits.map((hit) => hit.id));

  it("edits, deletes and adds in the message's own segment, and skips unchanged messages", () => {
    const index = new ShardedSearchIndex();
    expect(index.upsert("r1", 0, "a", doc("a", "r1", "old budget", 30))).toBe(true);
    expect(index.upsert("r1", 1, "b", doc("b", "r1", "new budget", 1))).toBe(true);
    expect(index.upsert("r1", 1, "b", doc("b", "r1", "new budget", 1))).toBe(false);
    expect(index.upsert("r1", 0, "a", doc("a", "r1", "old forecast", 30))).toBe(true);
    expect(ids(index, "budget")).toEqual(["b"]);
    expect(ids(index, "forecast")).toEqual(["a"]);
    expect(index.shard(shardKey("r1", 0))!.documentCount).toBe(1);
    expect(index.upsert("r1", 1, "b", null)).toBe(true);
    expect(ids(index, "budget")).toEqual([]);
    expect(index.documentCount).toBe(1);
    expect(index.upsert("r1", 1, "b", null)).toBe(false);
    expect(index.upsert("r2", 0, "c", null)).toBe(false);
    expect(index.shardCount).toBe(2);
  });

  it("answers the same once sealed shards are frozen, and thaws one to take an edit", () => {
    const items = corpus();
    const index = build(items);
    const reference = build(items);
    expect(index.freezeSealed()).toBe(index.shardCount - 10);
    expect(index.list().filter((shard) => shard.frozen).length).toBe(index.shardCount - 10);
    for (const query of ["alpha", "lu", "gamma delta", "from:bob gamma", "in:room1", "has:link"])
      expect(index.search(request(query), { now: NOW })).toEqual(
        reference.search(request(query), { now: NOW }),
      );
    // Re-feeding an unchanged message leaves a frozen shard frozen; an edit thaws it.
    const { segment, document } = items[0]!;
    const key = shardKey(document.roomId, segment);
    expect(index.upsert(document.roomId, segment, document.id, document)).toBe(false);
    expect(index.shard(key)!.frozen).not.toBeNull();
    const edited = { ...document, text: "a fresh xylophone" };
    expect(index.upsert(document.roomId, segment, document.id, edited)).toBe(true);
    reference.upsert(document.roomId, segment, document.id, edited);
    expect(index.shard(key)!.frozen).toBeNull();
    expect(ids(index, "xylophone")).toEqual([document.id]);
    expect(index.search(request("alpha"), { now: NOW })).toEqual(
      reference.search(request("alpha"), { now: NOW }),
    );
  });

  it("finds a prefix's many completions in a frozen shard's own words as a live shard finds them", () => {
    const random = seeded(5);
    // A hundred words starting with "lu", so the prefix is expanded from each shard's own words.
    const many = Array.from({ length: 100 }, (_, i) => `lu${String.fromCharCode(97 + (i % 26))}${i}x`);
    const items = Array.from({ length: 2_000 }, (_, i) => {
      const text = Array.from({ length: 3 }, () => many[Math.floor(many.length * random() ** 3)]).join(" ");
      return {
        segment: Math.floor(i / 400),
        document: {
          id: `p${i}`,
          roomId: `r${i % 10}`,
          author: "bob",
          createdAt: NOW - (2_000 - i) * DAY,
          text,
          link: false,
        },
      };
    });
    const live = build(items);
    const frozen = build(items);
    frozen.freezeSealed();
    expect(frozen.list().filter((shard) => shard.frozen).length).toBeGreaterThan(10);
    for (const query of ["lu", "lua", "lub lu"]) {
      const all = { now: NOW, maxHits: 100_000, perRoom: 100_000 };
      expect(frozen.search(request(query), all)).toEqual(live.search(request(query), all));
      expect(frozen.search(request(query), { now: NOW })).toEqual(live.search(request(query), { now: NOW }));
    }
  });

  it("persists shards one by one; loaded back they answer as before, and another format is refused", () => {
    const index = build(corpus());
    const loaded = new ShardedSearchIndex();
    for (const shard of index.list()) loaded.addShard(loadShard(serializeShard(shard))!);
    for (const query of ["alpha", "lu", "from:bob gamma", "in:room1"])
      expect(loaded.search(request(query), { now: NOW })).toEqual(index.search(request(query), { now: NOW }));
    const text = serializeShard(index.list()[0]!);
    expect(loadShard(text.replace(/"format":\d+/, '"format":1'))).toBeNull();
    expect(loadShard("{not json")).toBeNull();
  });

  it("drops the shards of rooms the person can no longer read, and their words stop counting", () => {
    const items = corpus();
    const index = build(items);
    const gone = index.dropRoomsExcept(new Set(["r0", "r1"]));
    expect(gone.length).toBeGreaterThan(0);
    const rebuilt = build(items.filter(({ document }) => ["r0", "r1"].includes(document.roomId)));
    expect(index.documentCount).toBe(rebuilt.documentCount);
    for (const query of ["alpha", "lu", "gamma delta"])
      expect(index.search(request(query), { now: NOW })).toEqual(
        rebuilt.search(request(query), { now: NOW }),
      );
  });
});
