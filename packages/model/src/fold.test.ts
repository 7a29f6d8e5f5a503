import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { foldUpdates } from "./fold.ts";

describe("foldUpdates", () => {
  it("makes one update whose state is that of all the rows, in any order, duplicates included", () => {
    const rows: Uint8Array[] = [];
    const a = new Y.Doc();
    const b = new Y.Doc();
    a.on("update", (u: Uint8Array) => rows.push(u));
    b.on("update", (u: Uint8Array) => rows.push(u));
    for (let i = 0; i < 30; i++) {
      a.getArray<string>("list").insert(a.getArray("list").length, [`a${i}`]);
      b.getArray<string>("list").insert(0, [`b${i}`]);
      if (i % 7 === 6) a.getArray("list").delete(0, 2);
      if (i % 10 === 9) Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    }
    const expected = new Y.Doc();
    for (const row of rows) Y.applyUpdate(expected, row);

    const shuffled = [...rows, ...rows.slice(0, 5)].reverse();
    const folded = new Y.Doc();
    Y.applyUpdate(folded, foldUpdates(shuffled));
    expect(folded.getArray("list").toArray()).toEqual(expected.getArray("list").toArray());
    expect(Y.encodeStateVector(folded)).toEqual(Y.encodeStateVector(expected));
  });

  it("of no rows is an empty document", () => {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, foldUpdates([]));
    expect(doc.getArray("list").length).toBe(0);
  });
});
