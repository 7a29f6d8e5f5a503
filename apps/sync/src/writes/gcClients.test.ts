import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { PROBE_CRASH_UPDATE, varUint } from "../../test/wire.ts";
import { inspectUpdate, UnresolvableUpdate } from "./inspectUpdate.ts";

/** An update holding one garbage-collected range: no content, just clock space under `client`. */
function gcRange(client: number, clock: number, length: number): Uint8Array {
  return new Uint8Array([1, 1, ...varUint(client), ...varUint(clock), 0, ...varUint(length), 0]);
}

const utf8 = (text: string) => [...new TextEncoder().encode(text)];

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
  it("a garbage-collected range from a client is refused (only the server collects garbage)", () => {
    const update = gcRange(VICTIM, 1, 1_000);
    expect(Y.decodeUpdate(update).structs.every((s) => s instanceof Y.GC)).toBe(true);
    expect(() => inspectUpdate(serverWithVictim(), update)).toThrow(/garbage-collected ranges/);
    // Under a client id nobody has written with yet, too: it would take that clock space.
    expect(() => inspectUpdate(serverWithVictim(), gcRange(4242, 0, 10))).toThrow(/garbage-collected ranges/);
  });

  it("a garbage-collected range the server already holds changes nothing", () => {
    const server = serverWithVictim();
    const inspected = inspectUpdate(server, gcRange(VICTIM, 0, 1));
    expect(inspected.noop).toBe(true);
    expect(inspected.writes).toEqual([]);
  });

  it("a clock run past MAX_CLOCK is refused, with content or without (the probe's crash frame)", () => {
    // Client 4242, garbage-collected lengths 2^56 and 2^54: the state vector would no longer decode.
    const crash = PROBE_CRASH_UPDATE;
    expect(() => inspectUpdate(new Y.Doc(), crash)).toThrow(UnresolvableUpdate);
    // A content-less item (a map entry written and overwritten offline) claiming 2^45 clocks.
    // One item (info 0x21: deleted content, with a map key) in root "reads" under key "k".
    const contentless = (length: number) =>
      new Uint8Array([
        1,
        1,
        ...varUint(4242),
        0,
        0x21,
        1,
        5,
        ...utf8("reads"),
        1,
        ...utf8("k"),
        ...varUint(length),
        0,
      ]);
    expect(() => inspectUpdate(new Y.Doc(), contentless(2 ** 45))).toThrow(/beyond what any device writes/);
    // The same item of an honest length is read as a write (and judged by the rules).
    expect(inspectUpdate(new Y.Doc(), contentless(3)).writes).toEqual([
      expect.objectContaining({ op: "insert", root: "reads", key: "k", contentless: true, span: 3 }),
    ]);
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
    const { writes } = inspectUpdate(server, update);
    expect(writes).toHaveLength(20_000);
    expect(writes.every((w) => w.root === "messages")).toBe(true);
  });
});
