import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { observeTypes } from "./observe.ts";

describe("observeTypes", () => {
  it("calls back once for a transaction that changes several of the types", () => {
    const doc = new Y.Doc();
    const list = doc.getArray<number>("list");
    const map = doc.getMap<number>("map");
    let calls = 0;
    observeTypes(doc, [list, map], () => calls++);
    doc.transact(() => {
      list.insert(0, [1, 2]);
      map.set("a", 1);
    });
    expect(calls).toBe(1);
    map.delete("a");
    expect(calls).toBe(2);
  });

  it("ignores transactions that touch only other types, also when applied from an update", () => {
    const doc = new Y.Doc();
    const list = doc.getArray<number>("list");
    let calls = 0;
    const stop = observeTypes(doc, [list], () => calls++);
    doc.getMap("other").set("x", 1);
    expect(calls).toBe(0);

    const source = new Y.Doc();
    source.getArray<number>("list").insert(0, [1]);
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(source));
    expect(calls).toBe(1);
    stop();
    list.insert(0, [2]);
    expect(calls).toBe(1);
  });
});
