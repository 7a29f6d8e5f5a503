import { getIndexedRoom, type IndexedRoom, listMentions } from "@chat/model";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as Y from "yjs";
import type { DocumentChange, DocumentWriter } from "../docs/writer.ts";
import type { Logger } from "../log.ts";
import { INDEX_WRITE_SPACING_MS, IndexWrites } from "./indexWrites.ts";

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** The index documents, changed at once; `failing` makes the next writes throw (the database is down). */
function fakeWriter() {
  const docs = new Map<string, Y.Doc>();
  const state = { applied: 0, failing: 0 };
  const writer = {
    async apply(name: string, change: DocumentChange) {
      if (state.failing > 0) {
        state.failing--;
        throw new Error("database unavailable");
      }
      state.applied++;
      const doc = docs.get(name) ?? new Y.Doc();
      docs.set(name, doc);
      change(doc);
    },
  } as unknown as DocumentWriter;
  const entry = (userId: string, roomId: string) => {
    const doc = docs.get(`user:${userId}`);
    return doc && getIndexedRoom(doc, roomId);
  };
  return { writer, state, entry, docs };
}

const entry = (roomId: string, unread: number): IndexedRoom => ({
  roomId,
  name: roomId,
  kind: "channel",
  archived: false,
  lastActivity: unread,
  unread,
  mentions: 0,
});

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("IndexWrites: a person's index is written at most every INDEX_WRITE_SPACING_MS", () => {
  it("writes the first change after a quiet moment at once, then the newest of each room per interval", async () => {
    const { writer, state, entry: written } = fakeWriter();
    const writes = new IndexWrites(writer, silent);
    // A person in ten busy rooms: a recount of one of them every 10 ms, for one second.
    writes.putEntry("alice", entry("r0", 1));
    await vi.advanceTimersByTimeAsync(0);
    expect(state.applied).toBe(1);
    expect(written("alice", "r0")?.unread).toBe(1);
    for (let tick = 1; tick <= 100; tick++) {
      writes.putEntry("alice", entry(`r${tick % 10}`, tick));
      await vi.advanceTimersByTimeAsync(10);
    }
    await vi.advanceTimersByTimeAsync(INDEX_WRITE_SPACING_MS);
    await writes.settled();
    // 101 entries, 3 writes: the first at once, then one per interval (1,000 ms / 500 ms).
    expect(state.applied).toBeLessThanOrEqual(1 + Math.ceil(1_000 / INDEX_WRITE_SPACING_MS));
    for (let room = 0; room < 10; room++)
      expect(written("alice", `r${room}`)?.unread).toBe(room === 0 ? 100 : 90 + room);
  });

  it("writes what the person did themselves (urgent) without waiting for the spacing", async () => {
    const { writer, state, entry: written } = fakeWriter();
    const writes = new IndexWrites(writer, silent);
    writes.putEntry("alice", entry("r1", 5));
    await vi.advanceTimersByTimeAsync(0);
    writes.putEntry("alice", entry("r2", 7));
    writes.putEntry("alice", entry("r1", 0), true);
    await vi.advanceTimersByTimeAsync(0);
    expect(state.applied).toBe(2);
    expect(written("alice", "r1")?.unread).toBe(0);
    expect(written("alice", "r2")?.unread).toBe(7);
  });

  it("refuses a room's entries for a moment after the person left it, unless they come back", async () => {
    const { writer, entry: written } = fakeWriter();
    const writes = new IndexWrites(writer, silent);
    writes.dropRoom("alice", "r1");
    // A recount that read the rows just before she left.
    writes.putEntry("alice", entry("r1", 3));
    await vi.advanceTimersByTimeAsync(0);
    expect(written("alice", "r1")).toBeUndefined();
    // She joins again at once: her counts are written again.
    writes.keepRoom("alice", "r1");
    writes.putEntry("alice", entry("r1", 4));
    await vi.advanceTimersByTimeAsync(INDEX_WRITE_SPACING_MS);
    expect(written("alice", "r1")?.unread).toBe(4);
  });

  it("writes different people side by side, each on their own spacing", async () => {
    const { writer, state } = fakeWriter();
    const writes = new IndexWrites(writer, silent);
    for (const person of ["alice", "bob", "carol"]) writes.putEntry(person, entry("r1", 1));
    await vi.advanceTimersByTimeAsync(0);
    expect(state.applied).toBe(3);
  });

  it("keeps mentions and entries that could not be written, and writes them once the database is back", async () => {
    const { writer, state, docs, entry: written } = fakeWriter();
    const writes = new IndexWrites(writer, silent);
    state.failing = 2;
    writes.putEntry("bob", entry("r1", 1));
    writes.putMention("bob", {
      roomId: "r1",
      messageId: "m1",
      seq: 1,
      author: "alice",
      at: 1,
      preview: "hi @bob",
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(state.applied).toBe(0);
    // A newer count arrives while the write is failing: it wins over the one kept.
    writes.putEntry("bob", entry("r1", 2));
    const settled = writes.settled();
    await vi.advanceTimersByTimeAsync(60_000);
    await settled;
    expect(written("bob", "r1")?.unread).toBe(2);
    expect(listMentions(docs.get("user:bob")!).map((m) => m.messageId)).toEqual(["m1"]);
  });
});
