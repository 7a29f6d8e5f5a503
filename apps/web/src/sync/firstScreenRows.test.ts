import "fake-indexeddb/auto";
import { DIRECTORY_DOC, roomDocName, segmentDocName, userDocName } from "@chat/model";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { firstScreenNames, prefetchFirstScreen, takeFirstScreenRows } from "./firstScreenRows";
import { attachLocalStore } from "./localStore";

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
    for (const name of names) {
      const doc = new Y.Doc();
      const store = attachLocalStore(scope, name, doc);
      await store.loaded;
      doc.getMap("m").set("name", name);
      await store.flushed();
      store.destroy();
    }

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
});
