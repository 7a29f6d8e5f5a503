import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { inspectUpdate } from "./inspectUpdate.ts";

describe("garbage-collected ranges", () => {
  it("bind their client id like items, so nobody can burn another device's clock space", () => {
    const server = new Y.Doc();
    const forger = new Y.Doc({ gc: true });
    forger.clientID = 424242; // someone else's client id
    const list = forger.getArray("drafts");
    const nested = new Y.Map();
    list.insert(0, [nested]);
    nested.set("a", "b");
    list.delete(0, 1); // the nested map's content is garbage-collected: encoded as a GC range
    // Only the range after the nested map's own item: nothing but a GC struct.
    const update = Y.encodeStateAsUpdate(forger, Y.encodeStateVector(new Map([[424242, 1]])));
    expect(Y.decodeUpdate(update).structs.every((s) => s instanceof Y.GC)).toBe(true);
    const inspected = inspectUpdate(server, update);
    expect(inspected.noop).toBe(false);
    expect([...inspected.clients]).toContain(424242);
  });
});
