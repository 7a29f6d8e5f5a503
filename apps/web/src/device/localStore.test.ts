import "fake-indexeddb/auto";
import { appendMessage, createMessage, deleteMessage, editMessage, listMessages } from "@chat/model";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import {
  attachLocalStore,
  COMPACT_AFTER_ROWS,
  databaseName,
  openDeviceDatabase,
  storedDocumentNames,
  wipeLocalData,
} from "./localStore";

async function rowCount(scope: string, doc: string): Promise<number> {
  const db = await openDeviceDatabase(scope);
  const range = IDBKeyRange.bound([doc, -Infinity], [doc, Infinity]);
  return new Promise((resolve, reject) => {
    const req = db.transaction("updates").objectStore("updates").count(range);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

const idle = () => new Promise((resolve) => setTimeout(resolve, 400));

describe("the device store", () => {
  it("gives a new document what an earlier one stored, without adding a row on load", async () => {
    const scope = "alice1";
    const first = new Y.Doc();
    const store = attachLocalStore(scope, "room:r/0", first);
    await store.loaded;
    appendMessage(first, createMessage("a", "hello", 1, "m1"));
    appendMessage(first, createMessage("a", "world", 2, "m2"));
    await store.flushed();
    store.destroy();
    expect(await rowCount(scope, "room:r/0")).toBe(2);

    const second = new Y.Doc();
    const again = attachLocalStore(scope, "room:r/0", second);
    await again.loaded;
    expect(listMessages(second).map((m) => m.text)).toEqual(["hello", "world"]);
    await again.flushed();
    expect(await rowCount(scope, "room:r/0")).toBe(2);
    // A change made after the reload continues the row sequence instead of overwriting a row.
    appendMessage(second, createMessage("a", "again", 3, "m3"));
    await again.flushed();
    const third = new Y.Doc();
    await attachLocalStore(scope, "room:r/0", third).loaded;
    expect(listMessages(third).map((m) => m.text)).toEqual(["hello", "world", "again"]);
  });

  it("keeps a change made before the stored rows were read", async () => {
    const scope = "early1";
    const seed = new Y.Doc();
    const seeding = attachLocalStore(scope, "d", seed);
    appendMessage(seed, createMessage("a", "stored", 1, "m1"));
    await seeding.flushed();
    const doc = new Y.Doc();
    const store = attachLocalStore(scope, "d", doc);
    appendMessage(doc, createMessage("a", "typed while loading", 2, "m2"));
    await store.flushed();
    const reread = new Y.Doc();
    await attachLocalStore(scope, "d", reread).loaded;
    expect(
      listMessages(reread)
        .map((m) => m.text)
        .sort(),
    ).toEqual(["stored", "typed while loading"]);
  });

  it("begins each change's write in the task that made it, without waiting for earlier writes", async () => {
    const scope = "prompt1";
    const doc = new Y.Doc();
    const store = attachLocalStore(scope, "user:u", doc);
    await store.loaded;
    const db = await openDeviceDatabase(scope);
    const begin = db.transaction.bind(db);
    let readWrites = 0;
    db.transaction = ((names: string | string[], mode?: IDBTransactionMode) => {
      if (mode === "readwrite") readWrites++;
      return begin(names, mode);
    }) as typeof db.transaction;
    try {
      // A burst in one task (a paste, a reaction and its message): one transaction.
      for (let i = 0; i < 5; i++) appendMessage(doc, createMessage("a", `burst ${i}`, i, `b${i}`));
      await Promise.resolve();
      expect(readWrites).toBe(1);
      // The next keystroke, while that write is still under way (it cannot have finished: this task
      // has not ended): its own transaction begins at once instead of queueing behind it in the page.
      appendMessage(doc, createMessage("a", "next", 9, "n"));
      await Promise.resolve();
      expect(readWrites).toBe(2);
    } finally {
      db.transaction = begin;
    }
    await store.flushed();
    expect(await rowCount(scope, "user:u")).toBe(6);
    const reread = new Y.Doc();
    await attachLocalStore(scope, "user:u", reread).loaded;
    expect(listMessages(reread).map((m) => m.text)).toEqual(
      [0, 1, 2, 3, 4].map((i) => `burst ${i}`).concat("next"),
    );
  });

  it("merges a document's rows into one once there are many, losing nothing", async () => {
    const scope = "bob1";
    const doc = new Y.Doc();
    const store = attachLocalStore(scope, "room:x/0", doc);
    await store.loaded;
    const total = COMPACT_AFTER_ROWS + 5;
    for (let i = 0; i < total; i++) appendMessage(doc, createMessage("b", `m ${i}`, i, `id${i}`));
    await store.flushed();
    // Rows the server has not confirmed are never merged (a refused change must stay removable).
    await idle();
    await store.flushed();
    expect(await rowCount(scope, "room:x/0")).toBe(total);
    store.confirm();
    appendMessage(doc, createMessage("b", "one more", total, "more"));
    await store.flushed();
    store.confirm();
    await idle();
    await store.flushed();
    expect(await rowCount(scope, "room:x/0")).toBeLessThan(5);
    const reread = new Y.Doc();
    await attachLocalStore(scope, "room:x/0", reread).loaded;
    expect(listMessages(reread)).toHaveLength(total + 1);
  });

  it("keeps what two tabs write to the same document at once, through a compaction", async () => {
    const scope = "tabs1";
    const [tabA, tabB] = [new Y.Doc(), new Y.Doc()];
    const [storeA, storeB] = [attachLocalStore(scope, "d", tabA), attachLocalStore(scope, "d", tabB)];
    await Promise.all([storeA.loaded, storeB.loaded]);
    for (let i = 0; i < COMPACT_AFTER_ROWS; i++) {
      appendMessage(tabA, createMessage("a", `from A ${i}`, i, `a${i}`));
      appendMessage(tabB, createMessage("b", `from B ${i}`, i, `b${i}`));
    }
    await Promise.all([storeA.flushed(), storeB.flushed()]);
    await idle();
    await Promise.all([storeA.flushed(), storeB.flushed()]);
    const reread = new Y.Doc();
    await attachLocalStore(scope, "d", reread).loaded;
    expect(listMessages(reread)).toHaveLength(2 * COMPACT_AFTER_ROWS);
  });

  it("keeps people apart and wipes one person's data on sign-out", async () => {
    for (const scope of ["carol1", "dave1"]) {
      const doc = new Y.Doc();
      const store = attachLocalStore(scope, "user:x", doc);
      doc.getMap("drafts").set("r", scope);
      await store.flushed();
    }
    expect(await storedDocumentNames("carol1")).toEqual(["user:x"]);
    await wipeLocalData("carol1");
    const databases = (await indexedDB.databases()).map((d) => d.name);
    expect(databases).not.toContain(databaseName("carol1"));
    expect(databases).toContain(databaseName("dave1"));
    const doc = new Y.Doc();
    await attachLocalStore("carol1", "user:x", doc).loaded;
    expect(doc.getMap("drafts").size).toBe(0);
  });

  it("counts changes made here until the server confirms them, across a reload, and not the server's own", async () => {
    const scope = "pending1";
    const server = Symbol("provider");
    const doc = new Y.Doc();
    const store = attachLocalStore(scope, "room:p/0", doc);
    store.setRemoteOrigin(server);
    await store.loaded;
    // From the server: never pending.
    const remote = new Y.Doc();
    appendMessage(remote, createMessage("a", "theirs", 1, "t1"));
    appendMessage(remote, createMessage("me", "mine", 2, "m1"));
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(remote), server);
    expect(store.pendingKeys().size).toBe(0);
    // Made here, offline: an edit and a deletion of the same message are one pending thing.
    editMessage(doc, { id: "m1", author: "me" }, "me", "mine, edited");
    deleteMessage(doc, { id: "m1", author: "me" }, "me");
    expect([...store.pendingKeys()]).toEqual(["edits:m1"]);
    await store.flushed();
    store.destroy();

    const reopened = new Y.Doc();
    const again = attachLocalStore(scope, "room:p/0", reopened);
    await again.loaded;
    expect([...again.pendingKeys()]).toEqual(["edits:m1"]);
    again.confirm();
    expect(again.pendingKeys().size).toBe(0);
    await again.flushed();
    const third = attachLocalStore(scope, "room:p/0", new Y.Doc());
    await third.loaded;
    expect(third.pendingKeys().size).toBe(0);
  });

  it("keeps unconfirmed rows out of compaction, and drops the device copy when the server refuses", async () => {
    const scope = "refused1";
    const server = Symbol("provider");
    const doc = new Y.Doc();
    const store = attachLocalStore(scope, "room:q/0", doc);
    store.setRemoteOrigin(server);
    await store.loaded;
    const remote = new Y.Doc();
    for (let i = 0; i < COMPACT_AFTER_ROWS + 5; i++) {
      appendMessage(remote, createMessage("a", `confirmed ${i}`, i, `c${i}`));
      Y.applyUpdate(doc, Y.encodeStateAsUpdate(remote), server);
    }
    appendMessage(doc, createMessage("me", "refused one", 100, "r1"));
    editMessage(doc, { id: "c0", author: "a" } as never, "a", "forged edit");
    await store.flushed();
    await idle();
    await store.flushed();
    // Compacted, but the two unconfirmed rows are still rows of their own.
    expect(await rowCount(scope, "room:q/0")).toBe(3);

    await store.discardDeviceCopy();
    expect(store.pendingKeys().size).toBe(0);
    expect(await rowCount(scope, "room:q/0")).toBe(0);
    // Nothing more of this copy is stored: the next load takes the server's copy whole.
    appendMessage(doc, createMessage("me", "after the refusal", 200, "r2"));
    await store.flushed();
    expect(await rowCount(scope, "room:q/0")).toBe(0);
    const reread = new Y.Doc();
    await attachLocalStore(scope, "room:q/0", reread).loaded;
    expect(listMessages(reread)).toHaveLength(0);
  });
});
