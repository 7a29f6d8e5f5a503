import { describe, expect, it } from "vitest";
import type { MessageView } from "./messages.ts";
import { hasLink, type SearchDocument, type SearchResults, toSearchDocument } from "./search.ts";
import { parseQuery, resolveQuery, type SearchFilter, type SearchVocabulary } from "./searchQuery.ts";
import { loadShard, ShardedSearchIndex, serializeShard } from "./searchShards.ts";
import { makeSnippet } from "./searchSnippet.ts";

const NOW = new Date(2024, 5, 15, 12).getTime();
const DAY = 86_400_000;

function doc(id: string, roomId: string, author: string, text: string, daysAgo = 1): SearchDocument {
  return { id, roomId, author, createdAt: NOW - daysAgo * DAY, text, link: hasLink(text) };
}

/** Each room's messages in its first history segment (searchShards.test.ts covers many segments). */
function indexOf(docs: SearchDocument[]): ShardedSearchIndex {
  const index = new ShardedSearchIndex();
  for (const d of docs) index.upsert(d.roomId, 0, d.id, d);
  return index;
}

/** Through the persisted form of each shard, as a cold start reads it. */
function roundTrip(index: ShardedSearchIndex): ShardedSearchIndex {
  const loaded = new ShardedSearchIndex();
  for (const shard of index.list()) loaded.addShard(loadShard(serializeShard(shard))!);
  return loaded;
}

const noFilter: SearchFilter = { authors: null, rooms: null, since: null, until: null, hasLink: false };
const ids = (results: SearchResults) =>
  results.rooms.map((room) => [room.roomId, room.hits.map((hit) => hit.id)]);

const vocabulary: SearchVocabulary = {
  me: { id: "alice", username: "alice" },
  users: [
    { id: "alice", username: "alice" },
    { id: "bob", username: "bob" },
  ],
  rooms: [
    { id: "r1", name: "general" },
    { id: "r2", name: "design" },
    { id: "r3", name: "random" },
  ],
};
const run = (index: ShardedSearchIndex, query: string) =>
  index.search(resolveQuery(parseQuery(query), vocabulary).request, { now: NOW });

const corpus = [
  doc("m1", "r1", "alice", "The budget for the offsite is ready", 10),
  doc("m2", "r2", "bob", "Budget review: see https://example.com/budget", 2),
  doc("m3", "r2", "alice", "I moved the budget meeting to Thursday", 40),
  doc("m4", "r3", "bob", "Lunch at the café?", 1),
  doc("m5", "r1", "bob", "Deployment finished without problems", 5),
  doc("m6", "r3", "alice", "budget budget budget", 100),
];

describe("search", () => {
  it("groups hits by room, rooms ordered by their best hit, and counts every match", () => {
    const index = indexOf(corpus);
    const results = run(index, "budget");
    expect(results.total).toBe(4);
    expect(results.rooms.map((room) => room.roomId)).toHaveLength(3);
    for (const room of results.rooms) expect(room.hits.length).toBe(room.total);
    // Rooms follow their best hits, and within a room hits are best first.
    const best = results.rooms.map((room) => room.hits[0]!.score);
    expect(best).toEqual([...best].sort((a, b) => b - a));
    for (const room of results.rooms) {
      const scores = room.hits.map((hit) => hit.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
    }
  });

  it("matches prefixes while typing, typos, and ignores accents and case", () => {
    const index = indexOf(corpus);
    expect(ids(run(index, "depl"))).toEqual([["r1", ["m5"]]]);
    expect(ids(run(index, "deploymnet"))).toEqual([["r1", ["m5"]]]);
    expect(ids(run(index, "CAFE"))).toEqual([["r3", ["m4"]]]);
    expect(run(index, "nothingmatches").total).toBe(0);
    expect(run(index, "?!").total).toBe(0);
  });

  it("finds messages by an emoji, one with a skin tone or joined parts too", () => {
    const index = indexOf([
      doc("e1", "r1", "alice", "Shipped it 🎉 finally"),
      doc("e2", "r2", "bob", "great work🚀🎉"),
      doc("e3", "r3", "bob", "thumbs 👍🏽 and 👩‍💻"),
      doc("e4", "r1", "alice", "no emoji here"),
    ]);
    expect(
      ids(run(index, "🎉"))
        .flatMap(([, hits]) => hits)
        .sort(),
    ).toEqual(["e1", "e2"]);
    expect(ids(run(index, "🚀"))).toEqual([["r2", ["e2"]]]);
    expect(ids(run(index, "👍🏽"))).toEqual([["r3", ["e3"]]]);
    expect(ids(run(index, "👩‍💻"))).toEqual([["r3", ["e3"]]]);
    // Words still split as before around them.
    expect(ids(run(index, "great"))).toEqual([["r2", ["e2"]]]);
  });

  it("requires every word", () => {
    const index = indexOf(corpus);
    expect(ids(run(index, "budget thursday"))).toEqual([["r2", ["m3"]]]);
  });

  it("applies from:, in:, dates and has:link together with words", () => {
    const index = indexOf(corpus);
    expect(ids(run(index, "budget from:bob"))).toEqual([["r2", ["m2"]]]);
    expect(ids(run(index, "budget in:general"))).toEqual([["r1", ["m1"]]]);
    expect(ids(run(index, "budget has:link"))).toEqual([["r2", ["m2"]]]);
    const since = new Date(NOW - 20 * DAY).toISOString().slice(0, 10);
    const results = run(index, `budget after:${since}`);
    expect(results.rooms.flatMap((room) => room.hits.map((hit) => hit.id)).sort()).toEqual(["m1", "m2"]);
    const until = new Date(NOW - 30 * DAY).toISOString().slice(0, 10);
    expect(
      run(index, `budget before:${until}`)
        .rooms.flatMap((room) => room.hits.map((hit) => hit.id))
        .sort(),
    ).toEqual(["m3", "m6"]);
  });

  it("lists the newest matches for filters alone, and nothing for no filter and no words", () => {
    const index = indexOf(corpus);
    const results = run(index, "from:bob");
    expect(results.total).toBe(3);
    expect(results.rooms.map((room) => room.roomId)).toEqual(["r3", "r2", "r1"]);
    expect(index.search({ words: [], filter: noFilter }).total).toBe(0);
  });

  it("caps what the list shows, overall and per room, and shows a whole room when filtered to it", () => {
    const many = Array.from({ length: 30 }, (_, i) =>
      doc(`x${i}`, i < 20 ? "r1" : "r2", "bob", `standup note ${i}`, i),
    );
    const index = indexOf(many);
    const capped = index.search(
      { words: ["standup"], filter: noFilter },
      { now: NOW, maxHits: 8, perRoom: 5 },
    );
    expect(capped.total).toBe(30);
    expect(capped.rooms.map((room) => [room.roomId, room.hits.length, room.total])).toEqual([
      ["r1", 5, 20],
      ["r2", 3, 10],
    ]);
    const oneRoom = index.search(
      { words: ["standup"], filter: { ...noFilter, rooms: ["r1"] } },
      { now: NOW, maxHits: 12 },
    );
    expect(oneRoom.rooms).toHaveLength(1);
    expect(oneRoom.rooms[0]!.hits).toHaveLength(12);
  });

  it("ranks a recent message above an old one that matches as well", () => {
    const index = indexOf([
      doc("old", "r1", "a", "release notes", 300),
      doc("new", "r2", "a", "release notes", 1),
    ]);
    expect(ids(index.search({ words: ["release"], filter: noFilter }, { now: NOW }))).toEqual([
      ["r2", ["new"]],
      ["r1", ["old"]],
    ]);
  });

  it("marks matched words in the snippet", () => {
    const index = indexOf(corpus);
    const hit = run(index, "budg")
      .rooms.find((room) => room.roomId === "r2")!
      .hits.find((h) => h.id === "m2")!;
    expect(hit.snippet).toEqual([
      { text: "Budget", marked: true },
      { text: " review: see https://example.com/", marked: false },
      { text: "budget", marked: true },
    ]);
  });
});

describe("thread replies", () => {
  const reply = (id: string, text: string, threadRoot: string): MessageView => ({
    id,
    author: "bob",
    createdAt: NOW - DAY,
    text,
    mentions: [],
    threadRoot,
    seq: 7,
    at: NOW - DAY,
    edited: false,
    deleted: false,
  });

  it("are found like messages, and their hits name the thread's root", () => {
    const index = indexOf([
      ...corpus,
      toSearchDocument("r1", reply("t1", "the flamingo plan is ready", "m1"))!,
      toSearchDocument("r1", { ...reply("t2", "flamingo also in the room", "m1"), alsoInRoom: true })!,
    ]);
    const results = run(index, "flamingo");
    expect(ids(results)).toEqual([["r1", expect.arrayContaining(["t1", "t2"])]]);
    for (const hit of results.rooms[0]!.hits) expect(hit.threadRoot).toBe("m1");
    // A message of the room is no reply: its hit names no root.
    const plain = run(index, "deployment").rooms[0]!.hits[0]!;
    expect(plain.threadRoot).toBeUndefined();
  });

  it("keep their root through a save and a load of the index", () => {
    const index = indexOf([toSearchDocument("r1", reply("t1", "flamingo", "m1"))!]);
    const loaded = roundTrip(index);
    expect(run(loaded, "flamingo").rooms[0]!.hits[0]!.threadRoot).toBe("m1");
  });

  it("are not found once deleted", () => {
    expect(toSearchDocument("r1", { ...reply("t1", "", "m1"), deleted: true })).toBeNull();
  });
});

describe("index maintenance", () => {
  it("re-indexes an edited message, removes a deleted one, and skips unchanged ones", () => {
    const index = indexOf(corpus);
    expect(
      index.upsert("r1", 0, "m5", doc("m5", "r1", "bob", "Deployment finished without problems", 5)),
    ).toBe(false);
    expect(index.upsert("r1", 0, "m5", doc("m5", "r1", "bob", "Rollback finished", 5))).toBe(true);
    expect(run(index, "deployment").total).toBe(0);
    expect(ids(run(index, "rollback"))).toEqual([["r1", ["m5"]]]);
    const deleted = toSearchDocument("r1", {
      ...corpus[4]!,
      mentions: [],
      seq: 5,
      at: corpus[4]!.createdAt,
      edited: false,
      deleted: true,
    });
    expect(deleted).toBeNull();
    const added = {
      ...corpus[4]!,
      mentions: [],
      seq: 6,
      at: corpus[4]!.createdAt,
      edited: false,
      deleted: false,
    };
    expect(toSearchDocument("r1", { ...added, event: { type: "member-added", userId: "u2" } })).toBeNull();
    expect(index.upsert("r1", 0, "m5", deleted)).toBe(true);
    expect(run(index, "rollback").total).toBe(0);
    expect(index.upsert("r1", 0, "m5", null)).toBe(false);
    // Filters read columns patched as messages came and went: they agree with a freshly loaded copy.
    for (let i = 0; i < 50; i++)
      index.upsert(
        `r${i % 4}`,
        0,
        `n${i}`,
        doc(`n${i}`, `r${i % 4}`, i % 2 ? "bob" : "alice", `budget item ${i}`, i),
      );
    for (let i = 0; i < 50; i += 3) index.upsert(`r${i % 4}`, 0, `n${i}`, null);
    const fresh = roundTrip(index);
    for (const query of ["budget from:bob", "budget in:design", "item", "from:alice", "has:link"])
      expect(run(index, query)).toEqual(run(fresh, query));
  });

  it("survives a round trip through its persisted form, and takes new messages after it", () => {
    const index = indexOf(corpus);
    const loaded = roundTrip(index);
    expect(loaded.documentCount).toBe(corpus.length);
    expect(ids(run(loaded, "budget from:bob"))).toEqual([["r2", ["m2"]]]);
    expect(loaded.upsert("r1", 0, "m7", doc("m7", "r1", "bob", "fresh words"))).toBe(true);
    expect(run(loaded, "fresh").total).toBe(1);
  });

  it("drops the rooms the person can no longer read", () => {
    const index = indexOf(corpus);
    expect(index.dropRoomsExcept(new Set(["r1", "r3"]))).toEqual(["r2/0"]);
    expect(index.documentCount).toBe(4);
    expect(
      run(index, "budget")
        .rooms.map((room) => room.roomId)
        .sort(),
    ).toEqual(["r1", "r3"]);
    expect(index.dropRoomsExcept(new Set(["r1", "r3"]))).toEqual([]);
  });

  it("knows what a link is", () => {
    expect(hasLink("see https://example.com")).toBe(true);
    expect(hasLink("[docs](http://x.io)")).toBe(true);
    expect(hasLink("www.example.com")).toBe(true);
    expect(hasLink("mail mailto:a@b.c")).toBe(true);
    expect(hasLink("https is a protocol; so is www")).toBe(false);
  });
});

describe("snippets", () => {
  it("cuts long text around the first match with ellipses, without Markdown noise", () => {
    const text = `${"word ".repeat(60)}the **needle** is [here](https://x.y) ${"tail ".repeat(60)}`;
    const parts = makeSnippet(text, new Set(["needle"]), 80);
    const joined = parts.map((part) => part.text).join("");
    expect(joined.startsWith("…")).toBe(true);
    expect(joined.endsWith("…")).toBe(true);
    expect(joined.length).toBeLessThanOrEqual(82);
    expect(parts.filter((part) => part.marked).map((part) => part.text)).toEqual(["needle"]);
    expect(joined).toContain("is here tail");
  });

  it("shows a code block's code, not its fence or language tag", () => {
    const text = "look:\n```ts\nconst answer = 42;\n```\nand\n~~~\nplain\n~~~";
    const joined = makeSnippet(text, new Set(["answer"]))
      .map((part) => part.text)
      .join("");
    expect(joined).toBe("look: const answer = 42; and plain");
    expect(
      makeSnippet("```python\nprint(1)\n```", new Set())
        .map((part) => part.text)
        .join(""),
    ).toBe("print(1)");
    expect(
      makeSnippet("```inline code``` stays", new Set())
        .map((part) => part.text)
        .join(""),
    ).toBe("inline code stays");
  });

  it("shows the start of a short message unmarked when nothing matches (filters only)", () => {
    expect(makeSnippet("just a note", new Set())).toEqual([{ text: "just a note", marked: false }]);
  });
});

describe("ranking", () => {
  it("finds messages by their files' names, and has:file and has:image keep messages with files", () => {
    const view = (id: string, text: string, attachments?: MessageView["attachments"]): MessageView => ({
      id,
      author: "alice",
      createdAt: NOW - DAY,
      at: NOW - DAY,
      text,
      mentions: [],
      seq: 1,
      edited: false,
      deleted: false,
      ...(attachments ? { attachments } : {}),
    });
    const pdf = { id: "f1aaaaaaaaaaaaaa", name: "Quarterly-report.pdf", size: 10, type: "application/pdf" };
    const png = {
      id: "f2aaaaaaaaaaaaaa",
      name: "whiteboard.png",
      size: 10,
      type: "image/png",
      width: 4,
      height: 3,
    };
    const docs = [
      toSearchDocument("r1", view("a", "numbers for Q3", [pdf]))!,
      toSearchDocument("r1", view("b", "", [png]))!,
      toSearchDocument("r2", view("c", "the quarterly plan, no files"))!,
      toSearchDocument("r2", view("d", "see https://example.com/report"))!,
    ];
    expect(docs[1]).toMatchObject({ text: "\nwhiteboard.png", file: true, image: true, link: false });
    expect(docs[0]).toMatchObject({ file: true, image: false });
    expect(docs[2]!.file).toBeUndefined();
    const index = indexOf(docs);

    expect(ids(run(index, "whiteboard"))).toEqual([["r1", ["b"]]]);
    expect(ids(run(index, "report.pdf"))).toEqual([["r1", ["a"]]]);
    // The snippet shows the file's name, with the words matched.
    const [hit] = run(index, "whiteboard").rooms[0]!.hits;
    expect(hit!.snippet).toEqual([
      { text: "whiteboard", marked: true },
      { text: ".png", marked: false },
    ]);
    expect(new Set(ids(run(index, "quarterly")).flatMap(([, hits]) => hits))).toEqual(new Set(["a", "c"]));
    expect(ids(run(index, "quarterly has:file"))).toEqual([["r1", ["a"]]]);
    expect(ids(run(index, "has:image"))).toEqual([["r1", ["b"]]]);
    expect(new Set(ids(run(index, "has:file")).flatMap(([, hits]) => hits))).toEqual(new Set(["a", "b"]));
    expect(run(index, "has:image has:link").total).toBe(0);
    // A persisted index keeps the flags.
    const loaded = roundTrip(index);
    expect(ids(run(loaded, "has:image"))).toEqual([["r1", ["b"]]]);
  });
});
