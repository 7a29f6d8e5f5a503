import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { deleteMessage, EditRejected, editMessage } from "./edits.ts";
import {
  appendMessage,
  createEventLine,
  createMessage,
  isMessageRecord,
  listMessages,
  stampSequence,
} from "./messages.ts";
import {
  countUnread,
  firstUnreadId,
  lastSequence,
  markReadUpTo,
  markUnreadFrom,
  readMarkerSupersedes,
  readPosition,
  setReadPosition,
} from "./unread.ts";

const alice = { id: "alice-id", username: "alice" };
const bob = { id: "bob-id", username: "bob" };

function roomWith(...texts: Array<[author: string, text: string]>): Y.Doc {
  const doc = new Y.Doc();
  for (const [i, [author, text]] of texts.entries())
    appendMessage(doc, createMessage(author, text, i, `m${i + 1}`));
  stampSequence(doc, new Map(texts.map((_, i) => [`m${i + 1}`, i + 1])));
  return doc;
}

describe("unread and mentions", () => {
  it("counts messages by others after the read position, and mentions among them", () => {
    const doc = roomWith(
      [alice.id, "hi all"],
      [alice.id, "@bob look"],
      [bob.id, "on it @bob"],
      [alice.id, "thanks @BOB."],
    );
    expect(countUnread(listMessages(doc), bob, 0)).toEqual({ unread: 3, mentions: 2 });
    expect(countUnread(listMessages(doc), bob, 2)).toEqual({ unread: 1, mentions: 1 });
    expect(countUnread(listMessages(doc), bob, 4)).toEqual({ unread: 0, mentions: 0 });
    // One's own messages are never unread, even after one's read position.
    expect(countUnread(listMessages(doc), alice, 0)).toEqual({ unread: 1, mentions: 0 });
    expect(firstUnreadId(listMessages(doc), bob.id, 1)).toBe("m2");
    expect(firstUnreadId(listMessages(doc), bob.id, 4)).toBeNull();
    expect(lastSequence(listMessages(doc))).toBe(4);
  });

  it("does not count pending messages, deleted ones, or lines about the room", () => {
    const doc = roomWith([alice.id, "@bob one"], [alice.id, "@bob two"]);
    appendMessage(doc, createMessage(alice.id, "@bob pending", 9, "m9"));
    appendMessage(
      doc,
      createEventLine(alice.id, "alice added bob", { type: "member-added", userId: bob.id }),
    );
    stampSequence(doc, new Map([[listMessages(doc).at(-1)!.id, 3]]));
    deleteMessage(doc, { id: "m1", author: alice.id }, alice.id);
    expect(countUnread(listMessages(doc), bob, 0)).toEqual({ unread: 1, mentions: 1 });
  });

  it("an edit that adds a mention counts as one; an edit that removes it does not", () => {
    const doc = roomWith([alice.id, "hello"], [alice.id, "hey @bob"]);
    editMessage(doc, { id: "m1", author: alice.id }, alice.id, "hello @bob");
    editMessage(doc, { id: "m2", author: alice.id }, alice.id, "hey everyone");
    expect(listMessages(doc).map((m) => [m.text, m.mentions, m.edited])).toEqual([
      ["hello @bob", ["bob"], true],
      ["hey everyone", [], true],
    ]);
    expect(countUnread(listMessages(doc), bob, 0)).toEqual({ unread: 2, mentions: 1 });
  });

  it("read positions only move forward", () => {
    const doc = new Y.Doc();
    expect(markReadUpTo(doc, bob.id, 5)).toBe(true);
    expect(markReadUpTo(doc, bob.id, 3)).toBe(false);
    expect(markReadUpTo(doc, bob.id, 5.5)).toBe(false);
    expect(readPosition(doc, bob.id)).toBe(5);
  });

  it("Mark unread moves the read position back to just before the message, and the count comes back", () => {
    const doc = roomWith([alice.id, "one"], [alice.id, "two @bob"], [alice.id, "three"], [bob.id, "mine"]);
    markReadUpTo(doc, bob.id, 4);
    expect(countUnread(listMessages(doc), bob, readPosition(doc, bob.id))).toEqual({
      unread: 0,
      mentions: 0,
    });
    expect(markUnreadFrom(doc, bob.id, 2)).toBe(true);
    expect(readPosition(doc, bob.id)).toBe(1);
    expect(countUnread(listMessages(doc), bob, readPosition(doc, bob.id))).toEqual({
      unread: 2,
      mentions: 1,
    });
    expect(firstUnreadId(listMessages(doc), bob.id, readPosition(doc, bob.id))).toBe("m2");
    // Already there: nothing moves. A later message: the position goes to just before it.
    expect(markUnreadFrom(doc, bob.id, 2)).toBe(false);
    expect(markUnreadFrom(doc, bob.id, 3)).toBe(true);
    expect(readPosition(doc, bob.id)).toBe(2);
    // Reading on moves it forward again as before.
    expect(markReadUpTo(doc, bob.id, 4)).toBe(true);
    expect(markUnreadFrom(doc, bob.id, 0)).toBe(false);
    expect(markUnreadFrom(doc, bob.id, 1.5)).toBe(false);
  });

  it("a marker moved back knowing the one before supersedes it; one written concurrently does not", () => {
    const phone = new Y.Doc();
    phone.clientID = 1;
    markReadUpTo(phone, bob.id, 3);
    expect(readMarkerSupersedes(phone, bob.id)).toBe(true);
    const laptop = new Y.Doc();
    laptop.clientID = 2;
    Y.applyUpdate(laptop, Y.encodeStateAsUpdate(phone));
    // Synced, the laptop moves it back on purpose: it knew of 3.
    expect(markUnreadFrom(laptop, bob.id, 2)).toBe(true);
    Y.applyUpdate(phone, Y.encodeStateAsUpdate(laptop));
    expect(readPosition(phone, bob.id)).toBe(1);
    expect(readMarkerSupersedes(phone, bob.id)).toBe(true);

    // Now both write without seeing each other: the phone reads up to 10, the laptop (offline) to 5.
    markReadUpTo(phone, bob.id, 10);
    markReadUpTo(laptop, bob.id, 5);
    Y.applyUpdate(phone, Y.encodeStateAsUpdate(laptop));
    Y.applyUpdate(laptop, Y.encodeStateAsUpdate(phone));
    // Yjs keeps the write of the higher client id, the stale 5: it does not supersede the 10.
    expect(readPosition(phone, bob.id)).toBe(5);
    expect(readPosition(laptop, bob.id)).toBe(5);
    expect(readMarkerSupersedes(phone, bob.id)).toBe(false);
    // The next deliberate move does again.
    markReadUpTo(laptop, bob.id, 12);
    expect(readMarkerSupersedes(laptop, bob.id)).toBe(true);
  });

  it("a read position can be set back, to any sequence number, but only to one", () => {
    const doc = new Y.Doc();
    markReadUpTo(doc, bob.id, 9);
    expect(setReadPosition(doc, bob.id, 3)).toBe(true);
    expect(readPosition(doc, bob.id)).toBe(3);
    expect(setReadPosition(doc, bob.id, 3)).toBe(false);
    expect(setReadPosition(doc, bob.id, -1)).toBe(false);
    expect(setReadPosition(doc, bob.id, Number.NaN)).toBe(false);
    expect(setReadPosition(doc, bob.id, 0)).toBe(true);
    expect(readPosition(doc, alice.id)).toBe(0);
  });
});

describe("edits and deletions", () => {
  it("only the author changes a message; a deletion is final and shows as deleted", () => {
    const doc = roomWith([alice.id, "typo"]);
    expect(() => editMessage(doc, { id: "m1", author: alice.id }, bob.id, "x")).toThrow(EditRejected);
    expect(() => deleteMessage(doc, { id: "m1", author: alice.id }, bob.id)).toThrow(/your own/);
    expect(() => editMessage(doc, { id: "m1", author: alice.id }, alice.id, "  ")).toThrow(/empty/);
    editMessage(doc, { id: "m1", author: alice.id }, alice.id, "fixed");
    expect(listMessages(doc)[0]).toMatchObject({ text: "fixed", edited: true, deleted: false, seq: 1 });
    deleteMessage(doc, { id: "m1", author: alice.id }, alice.id);
    expect(listMessages(doc)[0]).toMatchObject({ text: "", edited: false, deleted: true });
    expect(() => editMessage(doc, { id: "m1", author: alice.id }, alice.id, "back")).toThrow(/deleted/);
  });

  it("event lines have their own shape, accepted by the record check", () => {
    const line = createEventLine("a", "a added b", { type: "member-added", userId: "b" });
    expect(isMessageRecord(line)).toBe(true);
    expect(isMessageRecord({ ...line, event: { type: "other" } })).toBe(false);
  });
});
