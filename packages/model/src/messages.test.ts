import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { editMessage } from "./edits.ts";
import {
  appendMessage,
  createMessage,
  isMessageRecord,
  listMessages,
  MessageRejected,
  stampSequence,
  unsequencedMessages,
  viewsOf,
} from "./messages.ts";
import { MAX_MESSAGE_LENGTH, ROOTS } from "./schema.ts";
import { assertConverged, createReplicas, seededRandom, syncInRandomOrder } from "./testing.ts";

describe("messages", () => {
  it("refuses empty and over-long text with a sentence, and records mentions", () => {
    expect(() => createMessage("u", "  \n ")).toThrow(MessageRejected);
    expect(() => createMessage("u", "x".repeat(MAX_MESSAGE_LENGTH + 1))).toThrow(/at most 10,000 characters/);
    expect(createMessage("u", "x".repeat(MAX_MESSAGE_LENGTH)).text).toHaveLength(MAX_MESSAGE_LENGTH);
    const message = createMessage("u", "hi @Bob", 5, "id1");
    expect(message).toEqual({ id: "id1", author: "u", createdAt: 5, text: "hi @Bob", mentions: ["bob"] });
    expect(isMessageRecord(message)).toBe(true);
    expect(isMessageRecord({ ...message, extra: 1 })).toBe(false);
    expect(isMessageRecord({ ...message, createdAt: "now" })).toBe(false);
  });

  it("shows sequenced messages in server order and pending ones after them", () => {
    const doc = new Y.Doc();
    appendMessage(doc, createMessage("a", "second", 1, "m2"));
    appendMessage(doc, createMessage("a", "first", 2, "m1"));
    appendMessage(doc, createMessage("a", "pending late", 4, "m4"));
    appendMessage(doc, createMessage("a", "pending early", 3, "m3"));
    stampSequence(
      doc,
      new Map([
        ["m1", 1],
        ["m2", 2],
      ]),
    );
    expect(listMessages(doc).map((m) => [m.text, m.seq])).toEqual([
      ["first", 1],
      ["second", 2],
      ["pending early", null],
      ["pending late", null],
    ]);
    expect(unsequencedMessages(doc).map((m) => m.id)).toEqual(["m4", "m3"]);
    stampSequence(doc, new Map([["m1", 9]]));
    expect(listMessages(doc)[0]).toMatchObject({ id: "m1", seq: 1 });
  });

  it("is shown under the time the server numbered it, not the sender's clock; pending, under the sender's", () => {
    const doc = new Y.Doc();
    const day = 86_400_000;
    const serverNow = Date.UTC(2026, 11, 7, 12);
    // A sender whose clock is three days behind.
    appendMessage(doc, createMessage("alice", "late clock", serverNow - 3 * day, "m1"));
    expect(listMessages(doc)[0]).toMatchObject({ id: "m1", seq: null, at: serverNow - 3 * day });
    stampSequence(doc, new Map([["m1", 1]]), serverNow);
    expect(listMessages(doc)[0]).toMatchObject({
      id: "m1",
      seq: 1,
      at: serverNow,
      createdAt: serverNow - 3 * day,
    });
    // A number and its time are written once: a repeated stamp changes neither.
    stampSequence(doc, new Map([["m1", 7]]), serverNow + day);
    expect(listMessages(doc)[0]).toMatchObject({ seq: 1, at: serverNow });
  });

  it("lists a message once even if its record was written twice", () => {
    const doc = new Y.Doc();
    const message = createMessage("alice", "once", 1, "m1");
    doc.getArray(ROOTS.segment.messages).insert(0, [message, { ...message, text: "replayed" }]);
    expect(listMessages(doc).map((m) => m.text)).toEqual(["once"]);
  });

  it("replicas that exchange messages in any order converge to the same list", () => {
    for (let seed = 1; seed <= 25; seed++) {
      const random = seededRandom(seed);
      const replicas = createReplicas(4);
      replicas.forEach((doc, r) => {
        for (let i = 0; i < 5; i++)
          appendMessage(doc, createMessage(`user${r}`, `msg ${r}.${i}`, i, `m${r}_${i}`));
      });
      stampSequence(replicas[0]!, new Map([["m0_0", 1]]));
      syncInRandomOrder(replicas, random);
      assertConverged(replicas);
      const shown = replicas.map((doc) => JSON.stringify(listMessages(doc)));
      expect(new Set(shown).size).toBe(1);
      expect(listMessages(replicas[2]!)).toHaveLength(20);
      expect(listMessages(replicas[3]!)[0]!.id).toBe("m0_0");
    }
  });

  it("tells replicas that have not exchanged everything apart", () => {
    const [a, b] = createReplicas(2);
    appendMessage(a!, createMessage("u", "only on a"));
    expect(() => assertConverged([a!, b!])).toThrow(/other items/);
    syncInRandomOrder([a!, b!], seededRandom(1));
    a!.getArray("messages").delete(0, 1);
    expect(() => assertConverged([a!, b!])).toThrow(/other deletions/);
  });

  it("views of a few records carry their numbers and edits, as listMessages shows them", () => {
    const doc = new Y.Doc();
    const first = createMessage("alice", "first", 1);
    const second = createMessage("bob", "second", 2);
    appendMessage(doc, first);
    appendMessage(doc, second);
    stampSequence(doc, new Map([[second.id, 7]]));
    editMessage(doc, second, "bob", "second, edited", 3);
    const views = viewsOf(doc, [second, first]);
    expect(views.map((v) => [v.text, v.seq, v.edited])).toEqual([
      ["second, edited", 7, true],
      ["first", null, false],
    ]);
    const listed = new Map(listMessages(doc).map((v) => [v.id, v]));
    expect(views).toEqual([listed.get(second.id), listed.get(first.id)]);
  });
});
