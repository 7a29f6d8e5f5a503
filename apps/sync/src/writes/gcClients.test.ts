import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { inspectUpdate, UnresolvableUpdate } from "./inspectUpdate.ts";

/** LEB128, as Yjs writes every number in an update. */
function varUint(value: number): number[] {
  const bytes: number[] = [];
  while (value > 0x7f) {
    bytes.push((value % 0x80) | 0x80);
    value = Math.floor(value / 0x80);
  }
  bytes.push(value);
  return bytes;
}

/** An update holding one garbage-collected range: no content, just clock space under `client`. */
function gcRange(client: number, clock: number, length: number): Uint8Array {
  return new Uint8Array([1, 1, ...varUint(client), ...varUint(clock), 0, ...varUint(length), 0]);
}

const VICTIM = 424242;

function serverWithVictim(): Y.Doc {
  const victim = new Y.Doc();
  victim.clientID = VICTIM;
  victim.getMap("drafts").set("r", "hello");
  const server = new Y.Doc();
  Y.applyUpdate(server, Y.encodeStateAsUpdate(victim));
  return server;
}

describe("updates that would hijack another device's clock space", () => {
  it("a garbage-collected range binds its client id like an item", () => {
    const update = gcRange(VICTIM, 1, 1_000);
    expect(Y.decodeUpdate(update).structs.every((s) => s instanceof Y.GC)).toBe(true);
    const inspected = inspectUpdate(serverWithVictim(), update);
    expect(inspected.noop).toBe(false);
    expect([...inspected.clients]).toEqual([VICTIM]);
  });

  it("an update that starts past what the server has (would sit pending forever) is refused", () => {
    expect(() => inspectUpdate(serverWithVictim(), gcRange(VICTIM, 50, 1))).toThrow(UnresolvableUpdate);
  });

  it("a deletion of clocks nobody has written yet (would delete the victim's future items) is refused", () => {
    const update = new Uint8Array([0, 1, ...varUint(VICTIM), 1, ...varUint(100), ...varUint(50)]);
    expect(Y.decodeUpdate(update).ds.clients.get(VICTIM)).toHaveLength(1);
    expect(() => inspectUpdate(serverWithVictim(), update)).toThrow(/does not have/);
  });

  it("a long chain of appended messages (an offline backlog) is located without deep recursion", () => {
    const server = new Y.Doc();
    const client = new Y.Doc();
    const list = client.getArray("messages");
    // Prepending keeps Yjs from merging the items into one: each refers to its right neighbour.
    for (let i = 0; i < 20_000; i++) list.insert(0, [{ i }]);
    const update = Y.encodeStateAsUpdate(client);
    const started = performance.now();
    const { writes } = inspectUpdate(server, update);
    expect(writes).toHaveLength(20_000);
    expect(writes.every((w) => w.root === "messages")).toBe(true);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
