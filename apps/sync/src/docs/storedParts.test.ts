import { MAX_CLOCK } from "@chat/model";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { PROBE_CRASH_UPDATE, varUint } from "../../test/wire.ts";
import { withoutRunawayClients } from "./salvage.ts";
import { applyStoredParts } from "./storedParts.ts";

/** A document two devices wrote to: messages, a map, text typed and partly deleted. */
function honestDocument(): Y.Doc {
  const doc = new Y.Doc();
  const other = new Y.Doc();
  doc.getArray("messages").insert(0, [{ id: "a", text: "hello" }]);
  other.getArray("messages").insert(0, [{ id: "b", text: "hi", list: [1, null, true, 2.5, { x: "y" }] }]);
  other.getMap("reads").set("u1", 3);
  other.getMap("reads").set("u1", 4);
  other.getText("draft").insert(0, "typed and ✂ deleted");
  other.getText("draft").delete(6, 4);
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(other));
  return doc;
}

const contents = (doc: Y.Doc) => ({
  messages: doc.getArray("messages").toJSON(),
  reads: doc.getMap("reads").toJSON(),
  draft: doc.getText("draft").toString(),
});

describe("applying stored parts", () => {
  it("applies sound parts as they are, reporting nothing", () => {
    const source = honestDocument();
    const doc = new Y.Doc();
    const damage = applyStoredParts(doc, [{ source: "snapshot", data: Y.encodeStateAsUpdate(source) }]);
    expect(damage).toEqual([]);
    expect(contents(doc)).toEqual(contents(source));
  });

  it("serves a snapshot poisoned by a runaway clock without that client, everyone else's work intact", () => {
    const source = honestDocument();
    const expected = contents(source);
    Y.applyUpdate(source, PROBE_CRASH_UPDATE); // what an older server let in
    const poisoned = Y.encodeStateAsUpdate(source);
    expect(() => Y.applyUpdate(new Y.Doc(), poisoned)).toThrow(/Integer out of Range/);

    const doc = new Y.Doc();
    const damage = applyStoredParts(doc, [{ source: "snapshot", data: poisoned }]);
    expect(damage).toEqual([
      expect.objectContaining({ source: "snapshot", salvaged: true, problem: expect.stringMatching(/4242/) }),
    ]);
    expect(contents(doc)).toEqual(expected);
    // Its state vector reads again, for the server and every client.
    const vector = Y.decodeStateVector(Y.encodeStateVector(doc));
    expect(vector.has(4242)).toBe(false);
    expect(() => Y.applyUpdate(new Y.Doc(), Y.encodeStateAsUpdate(doc))).not.toThrow();
  });

  it("skips a row that is not an update at all and applies the rest", () => {
    const source = honestDocument();
    const later = new Y.Doc();
    Y.applyUpdate(later, Y.encodeStateAsUpdate(source));
    const before = Y.encodeStateVector(later);
    later.getArray("messages").insert(2, [{ id: "c", text: "after the damage" }]);
    const doc = new Y.Doc();
    const damage = applyStoredParts(doc, [
      { source: "snapshot", data: Y.encodeStateAsUpdate(source) },
      { source: "update 7", data: Uint8Array.from([1, 2, 0xff, 0xff]) },
      { source: "update 8", data: Y.encodeStateAsUpdate(later, before) },
    ]);
    expect(damage).toEqual([expect.objectContaining({ source: "update 7", salvaged: false })]);
    expect(doc.getArray("messages").length).toBe(3);
  });

  it("drops a client whose clock a readable part ran past the bound", () => {
    const doc = new Y.Doc();
    doc.getArray("messages").insert(0, ["kept"]);
    // A garbage-collected range of 2^41 clocks: decodes, but runs past MAX_CLOCK.
    const runaway = Uint8Array.from([1, 1, ...varUint(77), 0, 0, ...varUint(2 ** 41), 0]);
    const damage = applyStoredParts(doc, [{ source: "update 3", data: runaway }]);
    expect(damage).toEqual([
      expect.objectContaining({ source: "state", problem: expect.stringMatching(/77/) }),
    ]);
    expect(Y.decodeStateVector(Y.encodeStateVector(doc)).has(77)).toBe(false);
    expect(doc.getArray("messages").toJSON()).toEqual(["kept"]);
  });
});

describe("salvaging an update Yjs cannot read", () => {
  it("keeps every block in bounds byte for byte, and the delete set of the clients it keeps", () => {
    const source = honestDocument();
    const sound = Y.encodeStateAsUpdate(source);
    const rewritten = withoutRunawayClients(sound);
    expect(rewritten?.dropped).toEqual([]);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, rewritten!.update);
    expect(contents(doc)).toEqual(contents(source));
  });

  it("gives up on bytes it cannot walk", () => {
    expect(withoutRunawayClients(Uint8Array.from([3, 1]))).toBeNull();
    expect(MAX_CLOCK).toBeLessThan(Number.MAX_SAFE_INTEGER / 2);
  });
});
