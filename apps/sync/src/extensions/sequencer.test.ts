import { appendMessage, createMessage, listMessages, segmentDocName } from "@chat/model";
import type { onChangePayload } from "@hocuspocus/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import * as Y from "yjs";
import type { Database } from "../db/database.ts";
import type { ServerChanges } from "../docs/serverChanges.ts";
import type { Logger } from "../log.ts";
import { NUMBERING_GATHER_MS, Sequencer } from "./sequencer.ts";

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A room counter in memory, counting the round trips a real database would make. */
function fakeDatabase() {
  let lastSeq = 0;
  const counter = { allocations: 0 };
  const db = {
    async query(sql: string, params: unknown[] = []) {
      if (!sql.startsWith("update rooms set last_seq")) throw new Error(`unexpected statement: ${sql}`);
      counter.allocations++;
      lastSeq += Number(params[1]);
      return [{ last_seq: lastSeq }];
    },
  } as unknown as Database;
  return { db, counter };
}

/** Server changes applied at once (their storage is tested in serverChanges.test.ts). */
const directChanges = {
  async write(_name: string, doc: Y.Doc, change: (doc: Y.Doc) => void) {
    doc.transact(() => change(doc), "server");
    return true;
  },
} as unknown as ServerChanges;

/** A client's message arriving as its own update, as Hocuspocus hands it to onChange. */
function arrive(doc: Y.Doc, author: string, text: string): Omit<onChangePayload, "instance"> {
  let update: Uint8Array = new Uint8Array();
  const capture = (u: Uint8Array) => {
    update = u;
  };
  doc.on("update", capture);
  appendMessage(doc, createMessage(author, text));
  doc.off("update", capture);
  return {
    documentName: segmentDocName("room0000000000r1", 0),
    document: doc,
    update,
    transactionOrigin: { source: "connection" },
  } as unknown as Omit<onChangePayload, "instance">;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("the sequencer", () => {
  it("gathers the messages of the next NUMBERING_GATHER_MS into one numbering", async () => {
    vi.useFakeTimers();
    const { db, counter } = fakeDatabase();
    const sequencer = new Sequencer(db, directChanges, silent);
    const doc = new Y.Doc();
    // 100 messages a second in one room: one every 10 ms, for 200 ms.
    const numbered: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) {
      numbered.push(sequencer.onChange(arrive(doc, "alice", `message ${i}`) as onChangePayload));
      await vi.advanceTimersByTimeAsync(NUMBERING_GATHER_MS / 2);
    }
    await vi.advanceTimersByTimeAsync(NUMBERING_GATHER_MS);
    await Promise.all(numbered);
    expect(listMessages(doc).map((m) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // Two or three messages a numbering, not one.
    expect(counter.allocations).toBeLessThanOrEqual(10);
  });

  it("numbers messages in arrival order, each once", async () => {
    const { db } = fakeDatabase();
    const sequencer = new Sequencer(db, directChanges, silent);
    const doc = new Y.Doc();
    for (const text of ["one", "two", "three"])
      await sequencer.onChange(arrive(doc, "alice", text) as onChangePayload);
    expect(listMessages(doc).map((m) => [m.text, m.seq])).toEqual([
      ["one", 1],
      ["two", 2],
      ["three", 3],
    ]);
  });

  it("keeps up with a burst: messages that arrive while a numbering runs are numbered together in the next", async () => {
    const { db, counter } = fakeDatabase();
    // Storage is slow: every numbering waits for the messages to be stored first.
    let release: () => void = () => {};
    let gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const sequencer = new Sequencer(db, directChanges, silent, { stored: () => gate });
    const doc = new Y.Doc();
    const numbered: Promise<void>[] = [];
    for (let i = 0; i < 200; i++)
      numbered.push(sequencer.onChange(arrive(doc, `writer${i % 4}`, `message ${i}`) as onChangePayload));
    gate = Promise.resolve();
    release();
    await Promise.all(numbered);
    const messages = listMessages(doc);
    expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(messages.map((m) => m.text)).toEqual(Array.from({ length: 200 }, (_, i) => `message ${i}`));
    // One or two numberings (the first may start before the rest arrive), not one per message.
    expect(counter.allocations).toBeLessThanOrEqual(2);
  });

  it("announces numbered messages to its listeners in turn; a failing one skips the rest, not the next numbering", async () => {
    const { db } = fakeDatabase();
    const sequencer = new Sequencer(db, directChanges, silent);
    const heard: string[] = [];
    let fail = true;
    sequencer.onNumbered(async (roomId, _name, _doc, messages) => {
      heard.push(`first ${roomId} ${messages.map((m) => `${m.text}#${m.seq}`).join(",")}`);
      if (fail) throw new Error("the first listener failed");
    });
    sequencer.onNumbered(async (_roomId, _name, _doc, messages) => {
      heard.push(`second ${messages.map((m) => m.text).join(",")}`);
    });
    const doc = new Y.Doc();
    await sequencer.onChange(arrive(doc, "alice", "one") as onChangePayload);
    fail = false;
    await sequencer.onChange(arrive(doc, "bob", "two") as onChangePayload);
    expect(heard).toEqual(["first room0000000000r1 one#1", "first room0000000000r1 two#2", "second two"]);
  });
});
