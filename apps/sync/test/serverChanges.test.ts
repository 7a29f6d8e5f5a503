import { appendMessage, createMessage, listMessages, sequenceOf, stampSequence } from "@chat/model";
import type { onChangePayload } from "@hocuspocus/server";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import type { Database } from "../src/db/database.ts";
import { type ChangeLog, isStoredChange, ServerChanges } from "../src/docs/serverChanges.ts";
import { Sequencer } from "../src/extensions/sequencer.ts";
import { createLogger } from "../src/log.ts";
import { eventually } from "./harness.ts";

const silent = createLogger({ level: "silent" });
const segmentName = `room:${"s".repeat(16)}/0`;

/** An update log in memory whose appends fail while `down` is set, and wait while `gate` is held. */
class TestLog implements ChangeLog {
  stored: Uint8Array[] = [];
  down = false;
  gate: Promise<void> | null = null;
  async append(_name: string, update: Uint8Array): Promise<void> {
    await this.gate;
    if (this.down) throw new Error("connection refused");
    this.stored.push(update);
  }
}

/** A live document that records every update applied to it, with its origin. */
function liveDoc() {
  const doc = new Y.Doc();
  const seen: Array<{ update: Uint8Array; origin: unknown }> = [];
  doc.on("update", (update: Uint8Array, origin: unknown) => seen.push({ update, origin }));
  return { doc, seen };
}

/** A client's message arriving at the live document, as the sequencer's onChange sees it. */
function clientWrites(doc: Y.Doc, text: string) {
  const client = new Y.Doc();
  Y.applyUpdate(client, Y.encodeStateAsUpdate(doc));
  const before = Y.encodeStateVector(client);
  const message = createMessage("alice", text);
  appendMessage(client, message);
  const update = Y.encodeStateAsUpdate(client, before);
  Y.applyUpdate(doc, update, { source: "connection" });
  return {
    message,
    payload: {
      documentName: segmentName,
      document: doc,
      transactionOrigin: { source: "connection" },
      update,
    } as unknown as onChangePayload,
  };
}

/** The room counter (rooms.last_seq), without a database. */
function counterDb(): Database {
  let last = 0;
  return {
    query: async (_sql: string, params?: readonly unknown[]) => {
      last += Number(params?.[1]);
      return [{ last_seq: last }];
    },
  } as unknown as Database;
}

describe("server changes are stored before they are applied", () => {
  it("the live document (and so every client) sees a change only once the log has it", async () => {
    const log = new TestLog();
    const changes = new ServerChanges(log);
    const { doc, seen } = liveDoc();
    let open!: () => void;
    log.gate = new Promise((resolve) => {
      open = resolve;
    });
    const writing = changes.write(segmentName, doc, (d) => stampSequence(d, new Map([["m1", 1]])));
    await new Promise((r) => setTimeout(r, 20));
    expect(sequenceOf(doc, "m1")).toBeNull();
    expect(seen).toHaveLength(0);
    open();
    await expect(writing).resolves.toBe(true);
    expect(sequenceOf(doc, "m1")).toBe(1);
    expect(seen).toHaveLength(1);
    expect(isStoredChange(seen[0]!.origin)).toBe(true);
    // What was stored is exactly what was applied, under a client id of the server's own.
    expect(log.stored).toEqual([seen[0]!.update]);
    expect(Y.decodeUpdate(log.stored[0]!).structs[0]!.id.client).not.toBe(doc.clientID);
  });

  it("a change that cannot be stored is not applied, and the next one does not reuse its Yjs ids", async () => {
    const log = new TestLog();
    const changes = new ServerChanges(log);
    const { doc, seen } = liveDoc();
    await changes.write(segmentName, doc, (d) => stampSequence(d, new Map([["m1", 1]])));
    log.down = true;
    await expect(
      changes.write(segmentName, doc, (d) => stampSequence(d, new Map([["m2", 2]]))),
    ).rejects.toThrow("connection refused");
    expect(sequenceOf(doc, "m2")).toBeNull();
    expect(seen).toHaveLength(1);
    log.down = false;
    await changes.write(segmentName, doc, (d) => stampSequence(d, new Map([["m3", 3]])));
    expect(["m1", "m2", "m3"].map((id) => sequenceOf(doc, id))).toEqual([1, null, 3]);
    const clients = log.stored.map((u) => Y.decodeUpdate(u).structs[0]!.id.client);
    expect(clients[1]).not.toBe(clients[0]);
    // The log replays to what the live document holds.
    const replica = new Y.Doc();
    for (const update of log.stored) Y.applyUpdate(replica, update);
    expect(["m1", "m2", "m3"].map((id) => sequenceOf(replica, id))).toEqual([1, null, 3]);
  });

  it("changes see what clients wrote meanwhile, nothing changed stores nothing, and a throw applies nothing", async () => {
    const log = new TestLog();
    const changes = new ServerChanges(log, { idleMs: 10 });
    const { doc } = liveDoc();
    const { message } = clientWrites(doc, "first");
    await changes.write(segmentName, doc, (d) => stampSequence(d, new Map([[message.id, 1]])));
    const second = clientWrites(doc, "second").message;
    await new Promise((r) => setTimeout(r, 30)); // the shadow copy was dropped meanwhile: made afresh
    let sawSecond = false;
    await changes.write(segmentName, doc, (d) => {
      sawSecond = listMessages(d).some((m) => m.id === second.id);
    });
    expect(sawSecond).toBe(true);
    expect(log.stored).toHaveLength(1);
    await expect(
      changes.write(segmentName, doc, (d) => {
        stampSequence(d, new Map([[second.id, 99]]));
        throw new Error("half done");
      }),
    ).rejects.toThrow("half done");
    expect(sequenceOf(doc, second.id)).toBeNull();
    await changes.write(segmentName, doc, (d) => stampSequence(d, new Map([[second.id, 2]])));
    expect(listMessages(doc).map((m) => m.seq)).toEqual([1, 2]);
  });
});

describe("the sequencer when a number cannot be stored", () => {
  it("shows no number, and numbers the message again by itself once storing works", async () => {
    const log = new TestLog();
    const sequencer = new Sequencer(counterDb(), new ServerChanges(log), silent, { retryDelayMs: 50 });
    const { doc } = liveDoc();
    log.down = true;
    const { message, payload } = clientWrites(doc, "hello");
    await sequencer.onChange(payload);
    expect(sequenceOf(doc, message.id)).toBeNull();
    await new Promise((r) => setTimeout(r, 80)); // the first retry fails too (back-off doubles)
    expect(sequenceOf(doc, message.id)).toBeNull();
    log.down = false;
    const seq = await eventually(() => sequenceOf(doc, message.id) ?? undefined, 2_000, "a number");
    // Numbers allocated for stamps that were never stored are skipped, not reused.
    expect(seq).toBeGreaterThan(1);
    expect(log.stored).toHaveLength(1);
  });

  it("numbers what it owes on the next change to the document", async () => {
    const log = new TestLog();
    const sequencer = new Sequencer(counterDb(), new ServerChanges(log), silent, { retryDelayMs: 60_000 });
    const { doc } = liveDoc();
    log.down = true;
    const first = clientWrites(doc, "during the outage");
    await sequencer.onChange(first.payload);
    expect(sequenceOf(doc, first.message.id)).toBeNull();
    log.down = false;
    const second = clientWrites(doc, "after it");
    await sequencer.onChange(second.payload);
    expect(listMessages(doc).map((m) => [m.text, m.seq])).toEqual([
      ["during the outage", 2],
      ["after it", 3],
    ]);
  });
});
