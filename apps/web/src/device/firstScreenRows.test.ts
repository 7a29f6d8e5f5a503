import "fake-indexeddb/auto";
import { DIRECTORY_DOC, roomDocName, segmentDocName, userDocName } from "@chat/model";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { databaseName } from "./deviceDatabase";
import {
  firstScreenNames,
  firstScreenRead,
  prefetchFirstScreen,
  takeFirstScreenRows,
  takeReadRows,
} from "./firstScreenRows";
import { attachLocalStore } from "./localStore";

/** Stores each named document on the device, holding its own name (so a test can tell whose rows it got). */
async function storeOnDevice(scope: string, names: readonly string[]): Promise<void> {
  for (const name of names) {
    const doc = new Y.Doc();
    const store = attachLocalStore(scope, name, doc);
    await store.loaded;
    doc.getMap("m").set("name", name);
    await store.flushed();
    store.destroy();
  }
}

describe("first screen rows", () => {
  it("spells document names as the model does", () => {
    expect(firstScreenNames.directory).toBe(DIRECTORY_DOC);
    expect(firstScreenNames.user("u1")).toBe(userDocName("u1"));
    expect(firstScreenNames.room("r1")).toBe(roomDocName("r1"));
    expect(`${firstScreenNames.segmentPrefix("r1")}3`).toBe(segmentDocName("r1", 3));
  });

  it("reads the directory, the index, the room and its newest segment on the device together; each once", async () => {
    const scope = "prefetch1";
    const names = [
      DIRECTORY_DOC,
      userDocName(scope),
      roomDocName("r1"),
      segmentDocName("r1", 0),
      segmentDocName("r1", 12),
    ];
    await storeOnDevice(scope, names);

    prefetchFirstScreen(scope, "r1");
    for (const name of [DIRECTORY_DOC, userDocName(scope), roomDocName("r1")]) {
      const rows = await takeFirstScreenRows(scope, name);
      expect(rows?.map((row) => row.doc)).toEqual([name]);
      expect(takeFirstScreenRows(scope, name)).toBeUndefined();
    }
    // Segment 12 is the newest on the device; segment 0 is left to be read when it is opened.
    expect((await takeFirstScreenRows(scope, segmentDocName("r1", 12)))?.length).toBe(1);
    expect(takeFirstScreenRows(scope, segmentDocName("r1", 0))).toBeUndefined();

    // A store opened after the read-ahead finds its rows there, and they are the document's.
    prefetchFirstScreen(scope, "r1");
    const doc = new Y.Doc();
    await attachLocalStore(scope, roomDocName("r1"), doc).loaded;
    expect(doc.getMap("m").get("name")).toBe(roomDocName("r1"));
    expect(takeFirstScreenRows(scope, roomDocName("r1"))).toBeUndefined();
  });

  it("gives rows already read at once, so a store opened after the read has its content synchronously", async () => {
    const scope = "prefetch2";
    await storeOnDevice(scope, [
      DIRECTORY_DOC,
      userDocName(scope),
      roomDocName("r2"),
      segmentDocName("r2", 4),
    ]);

    prefetchFirstScreen(scope, "r2");
    // Not read yet: nothing to take at once (the store would wait for the read instead).
    expect(takeReadRows(scope, roomDocName("r2"))).toBeUndefined();
    // Taken while the read was under way: never offered again (a store opened later reads afresh).
    const taken = takeFirstScreenRows(scope, roomDocName("r2"));
    expect((await taken)?.length).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(takeReadRows(scope, roomDocName("r2"))).toBeUndefined();

    // The directory and the index are not needed for the first render: they come through the promise.
    expect(takeReadRows(scope, DIRECTORY_DOC)).toBeUndefined();
    expect(takeReadRows(scope, userDocName(scope))).toBeUndefined();
    const segment = new Y.Doc();
    const store = attachLocalStore(scope, segmentDocName("r2", 4), segment);
    expect(segment.getMap("m").get("name")).toBe(segmentDocName("r2", 4));
    // It stores changes as before.
    await store.loaded;
    segment.getMap("m").set("more", 1);
    await store.flushed();
    const again = new Y.Doc();
    await attachLocalStore(scope, segmentDocName("r2", 4), again).loaded;
    expect(again.getMap("m").toJSON()).toEqual({ name: segmentDocName("r2", 4), more: 1 });
  });

  it("leaves the room to be applied later, and its segment unread, when asked to (it shows a cached tail)", async () => {
    const scope = "prefetch3";
    await storeOnDevice(scope, [roomDocName("r3"), segmentDocName("r3", 0)]);
    prefetchFirstScreen(scope, "r3", { roomAtOnce: false });
    await takeFirstScreenRows(scope, DIRECTORY_DOC);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(takeReadRows(scope, roomDocName("r3"))).toBeUndefined();
    expect(takeReadRows(scope, segmentDocName("r3", 0))).toBeUndefined();
    expect((await takeFirstScreenRows(scope, roomDocName("r3")))?.length).toBe(1);
    // The segment is not read ahead at all: its store reads it when the room is opened.
    expect(takeFirstScreenRows(scope, segmentDocName("r3", 0))).toBeUndefined();
    // Rows already read are not handed over in the microtasks of the task that asked (the first
    // render's), but after the next frame.
    let handedOver = false;
    const later = takeFirstScreenRows(scope, userDocName(scope))?.then((rows) => {
      handedOver = true;
      return rows;
    });
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(handedOver).toBe(false);
    expect(await later).toEqual([]);
  });

  it("lets the first render wait until the room's messages can be taken at once, only when there are some to wait for", async () => {
    const scope = "prefetch4";
    await storeOnDevice(scope, [roomDocName("r4"), segmentDocName("r4", 0)]);
    prefetchFirstScreen(scope, "r4");
    const reading = firstScreenRead(5_000);
    expect(reading).toBeDefined();
    expect(takeReadRows(scope, segmentDocName("r4", 0))).toBeUndefined();
    await reading;
    expect(takeReadRows(scope, segmentDocName("r4", 0))?.length).toBe(1);

    // No room on screen, or one whose latest messages are cached: the first render does not wait.
    prefetchFirstScreen(scope, null);
    expect(firstScreenRead(5_000)).toBeUndefined();
    prefetchFirstScreen(scope, "r4", { roomAtOnce: false });
    expect(firstScreenRead(5_000)).toBeUndefined();
  });

  it("never lets the first render wait longer than it may, however slow the device database is", async () => {
    const scope = "prefetch5";
    // Another connection holds the database while it is being deleted: opening it waits for both.
    const holder = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open(databaseName(scope), 1);
      req.onupgradeneeded = () => req.result.createObjectStore("updates", { keyPath: ["doc", "seq"] });
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    indexedDB.deleteDatabase(databaseName(scope));
    prefetchFirstScreen(scope, "r5");
    let settled = false;
    const reading = firstScreenRead(80)?.then(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(settled).toBe(false);
    await reading;
    expect(takeReadRows(scope, roomDocName("r5"))).toBeUndefined();
    holder.close();
  });
});
