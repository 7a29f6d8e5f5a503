import { getIndexedRoom } from "@chat/model";
import { afterEach, describe, expect, it, vi } from "vitest";
import * as Y from "yjs";
import type { Database } from "../db/database.ts";
import type { DocumentChange, DocumentWriter } from "../docs/writer.ts";
import type { Logger } from "../log.ts";
import { RECOUNT_SPACING_MS, UserIndex } from "./userIndex.ts";

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const ROOM = "room0000000000r1";
const MEMBERS = ["alice", "bob", "carol", "dave"];

/**
 * The entry query of a recount, answered from memory: every member has `unread` unread messages.
 * Each recount is one query; `gate`, while set, holds queries until it opens.
 */
function fakeDatabase() {
  const state = { unread: 0, recounts: [] as Array<string[] | null>, gate: null as Promise<void> | null };
  const db = {
    async query(sql: string, params: unknown[] = []) {
      if (!sql.includes("from room_members m")) throw new Error(`unexpected statement: ${sql}`);
      const userIds = params[1] as string[] | null;
      state.recounts.push(userIds && [...userIds].sort());
      if (state.gate) await state.gate;
      return (userIds ?? MEMBERS).map((userId) => ({
        room_id: ROOM,
        user_id: userId,
        name: "general",
        kind: "channel",
        archived: false,
        last_activity: 1,
        unread: state.unread,
        mentions: 0,
      }));
    },
  } as unknown as Database;
  return { db, state };
}

/** The user documents, changed at once (the writer's storage is tested elsewhere). */
function fakeWriter() {
  const docs = new Map<string, Y.Doc>();
  const writer = {
    async apply(name: string, change: DocumentChange) {
      const doc = docs.get(name) ?? new Y.Doc();
      docs.set(name, doc);
      change(doc);
    },
  } as unknown as DocumentWriter;
  const unreadOf = (userId: string) => {
    const doc = docs.get(`user:${userId}`);
    return doc && getIndexedRoom(doc, ROOM)?.unread;
  };
  return { writer, unreadOf };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("the user index's recounts", () => {
  it("coalesce what is asked for while one runs into a single next recount", async () => {
    const { db, state } = fakeDatabase();
    const { writer, unreadOf } = fakeWriter();
    const index = new UserIndex(db, writer, silent);
    let open!: () => void;
    state.gate = new Promise((resolve) => {
      open = resolve;
    });
    const first = index.recount(ROOM, ["alice"]);
    await vi.waitFor(() => expect(state.recounts).toHaveLength(1));
    // Asked for while the first runs: one recount, of everyone asked for, reading the latest state.
    const asked = [
      index.recount(ROOM, ["bob"]),
      index.recount(ROOM, ["carol"]),
      index.recount(ROOM, ["bob"]),
    ];
    state.unread = 3;
    state.gate = null;
    open();
    await Promise.all([first, ...asked]);
    await index.settled(ROOM);
    expect(state.recounts).toEqual([["alice"], ["bob", "carol"]]);
    expect([unreadOf("bob"), unreadOf("carol"), unreadOf("dave")]).toEqual([3, 3, undefined]);
  });

  it("widen to every member when one of those asked for is the whole room", async () => {
    const { db, state } = fakeDatabase();
    const index = new UserIndex(db, fakeWriter().writer, silent);
    let open!: () => void;
    state.gate = new Promise((resolve) => {
      open = resolve;
    });
    const first = index.recount(ROOM, ["alice"]);
    await vi.waitFor(() => expect(state.recounts).toHaveLength(1));
    const asked = [index.recount(ROOM, ["bob"]), index.recount(ROOM, null), index.recount(ROOM, ["carol"])];
    state.gate = null;
    open();
    await Promise.all([first, ...asked]);
    expect(state.recounts).toEqual([["alice"], null]);
  });

  it("start at most every RECOUNT_SPACING_MS: the first after a quiet moment at once", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const { db, state } = fakeDatabase();
    const index = new UserIndex(db, fakeWriter().writer, silent);
    await index.recount(ROOM, null);
    expect(state.recounts).toHaveLength(1);
    const second = index.recount(ROOM, null);
    await vi.advanceTimersByTimeAsync(RECOUNT_SPACING_MS - 1);
    expect(state.recounts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await second;
    expect(state.recounts).toHaveLength(2);
    // After a quiet moment longer than the spacing, a recount starts at once.
    await vi.advanceTimersByTimeAsync(RECOUNT_SPACING_MS);
    await index.recount(ROOM, ["alice"]);
    expect(state.recounts).toHaveLength(3);
  });
});
