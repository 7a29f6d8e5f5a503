import {
  appendMessage,
  applyEdit,
  createEventLine,
  createMessage,
  deleteMessage,
  draftRootName,
  editMessage,
  findMessage,
  isMessageRecord,
  listMessages,
  MAX_DRAFT_LENGTH,
  MAX_DRAFTS,
  MAX_NOTIFY_ENTRIES,
  MAX_SETTING_VALUE_LENGTH,
  MAX_SETTINGS,
  MAX_THREAD_READS_PER_MEMBER,
  markReadUpTo,
  messageEdits,
  messageReactions,
  messagesById,
  newId,
  putIndexedRoom,
  putMention,
  ROOTS,
  reactionEmojis,
  reactionKey,
  removeMessageAsAdmin,
  setDoNotDisturb,
  setDraft,
  setNotifyLevel,
  toggleReaction,
} from "@chat/model";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { documentFacts } from "./documentFacts.ts";
import { inspectUpdate } from "./inspectUpdate.ts";
import { type MessageLookup, refuseWrites } from "./rules.ts";

/** What the write guard looks messages up in: the server's document plus what the update appends. */
function lookupIn(server: Y.Doc, writes: ReturnType<typeof inspectUpdate>["writes"]): MessageLookup {
  return {
    message: (id) =>
      writes
        .flatMap((w) => (w.root === ROOTS.segment.messages ? (w.values ?? []) : []))
        .find((v): v is ReturnType<typeof createMessage> => isMessageRecord(v) && v.id === id) ??
      findMessage(server, id),
    edit: (id) => messageEdits(server).get(id),
    reactionEmojis: (id) => reactionEmojis(server, id),
    ...documentFacts(server),
  };
}

/** The update a client would send after `change`, starting from the server's state. */
function clientUpdate(server: Y.Doc, change: (doc: Y.Doc) => void): Uint8Array {
  const client = new Y.Doc();
  Y.applyUpdate(client, Y.encodeStateAsUpdate(server));
  const before = Y.encodeStateVector(client);
  change(client);
  return Y.encodeStateAsUpdate(client, before);
}

const segment = { kind: "segment", roomId: "r", segment: 0 } as const;
const room = { kind: "room", roomId: "r" } as const;

describe("inspectUpdate", () => {
  it("locates appended messages even when Yjs omits their parent (origin chain)", () => {
    const server = new Y.Doc();
    appendMessage(server, createMessage("alice", "one"));
    const update = clientUpdate(server, (doc) => appendMessage(doc, createMessage("bob", "two")));
    const { writes, noop } = inspectUpdate(server, update);
    expect(noop).toBe(false);
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({ op: "insert", root: ROOTS.segment.messages, key: null });
    expect(refuseWrites(segment, "bob", writes)).toBeNull();
    expect(refuseWrites(segment, "mallory", writes)).toMatch(/author must be its sender/);
  });

  it("sees a map overwrite as an insert plus a delete of the old value", () => {
    const server = new Y.Doc();
    const first = clientUpdate(server, (doc) => markReadUpTo(doc, "bob", 1));
    Y.applyUpdate(server, first);
    const second = clientUpdate(server, (doc) => markReadUpTo(doc, "bob", 5));
    const { writes } = inspectUpdate(server, second);
    expect(writes.map((w) => [w.op, w.root, w.key])).toEqual([
      ["insert", "reads", "bob"],
      ["delete", "reads", "bob"],
    ]);
    expect(refuseWrites(room, "bob", writes)).toBeNull();
    expect(refuseWrites(room, "alice", writes)).toMatch(/only their own read marker/);
  });

  it("reports an update the server already has as a no-op", () => {
    const server = new Y.Doc();
    const update = clientUpdate(server, (doc) => appendMessage(doc, createMessage("bob", "hi")));
    Y.applyUpdate(server, update);
    expect(inspectUpdate(server, update).noop).toBe(true);
  });

  it("refuses a message whose mentions are not the names its text mentions", () => {
    const server = new Y.Doc();
    const judged = (mentions: string[], text = "hi @carol and @Dave.") => {
      const update = clientUpdate(server, (doc) =>
        appendMessage(doc, { ...createMessage("bob", text), mentions }),
      );
      const { writes } = inspectUpdate(server, update);
      return refuseWrites(segment, "bob", writes, lookupIn(server, writes));
    };
    expect(judged(["carol", "dave"])).toBeNull();
    expect(judged(["dave", "carol"])).toBeNull(); // any order
    expect(judged(["carol"])).toMatch(/mentions are the names its text mentions/);
    expect(judged(["carol", "dave", "erin"])).toMatch(/mentions are the names its text mentions/);
    expect(judged(["carol", "carol", "dave"])).toMatch(/mentions are the names its text mentions/);
    expect(judged(["carol"], "just a harmless line")).toMatch(/mentions are the names its text mentions/);
    expect(judged([], "`@carol` in code mentions nobody")).toBeNull();
  });

  it("refuses deleting messages and nested types", () => {
    const server = new Y.Doc();
    appendMessage(server, createMessage("bob", "hi"));
    const deletion = clientUpdate(server, (doc) => doc.getArray(ROOTS.segment.messages).delete(0, 1));
    expect(refuseWrites(segment, "bob", inspectUpdate(server, deletion).writes)).toMatch(/never removed/);
    const nested = clientUpdate(server, (doc) =>
      doc.getArray(ROOTS.segment.messages).insert(0, [new Y.Map()]),
    );
    expect(refuseWrites(segment, "bob", inspectUpdate(server, nested).writes)).toMatch(/plain records/);
  });

  it("lets only the author edit or delete a message, also one appended by the same update", () => {
    const server = new Y.Doc();
    const mine = createMessage("bob", "typo", 1, "m1");
    appendMessage(server, mine);
    const edit = clientUpdate(server, (doc) => editMessage(doc, mine, "bob", "fixed"));
    let writes = inspectUpdate(server, edit).writes;
    expect(writes.map((w) => [w.op, w.root, w.key])).toEqual([["insert", "edits", "m1"]]);
    expect(refuseWrites(segment, "bob", writes, lookupIn(server, writes))).toBeNull();
    expect(refuseWrites(segment, "mallory", writes, lookupIn(server, writes))).toMatch(/only its author/);

    // Mallory forges an edit record for bob's message (the model would refuse her; a raw write is judged here).
    const forged = clientUpdate(server, (doc) =>
      doc.getMap(ROOTS.segment.edits).set("m1", { text: "bob is wrong", deleted: false, at: 1 }),
    );
    writes = inspectUpdate(server, forged).writes;
    expect(refuseWrites(segment, "mallory", writes, lookupIn(server, writes))).toMatch(/only its author/);

    // Bob replaces his edit with a deletion: the old record's removal is his to make.
    Y.applyUpdate(server, edit);
    const deletion = clientUpdate(server, (doc) => deleteMessage(doc, mine, "bob"));
    writes = inspectUpdate(server, deletion).writes;
    expect(refuseWrites(segment, "bob", writes, lookupIn(server, writes))).toBeNull();
    expect(refuseWrites(segment, "mallory", writes, lookupIn(server, writes))).toMatch(/only its author/);

    const offline = clientUpdate(server, (doc) => {
      const late = createMessage("bob", "sent offline", 2, "m2");
      appendMessage(doc, late);
      editMessage(doc, late, "bob", "sent offline, then edited");
    });
    writes = inspectUpdate(server, offline).writes;
    expect(refuseWrites(segment, "bob", writes, lookupIn(server, writes))).toBeNull();

    const unknown = clientUpdate(server, (doc) =>
      doc.getMap(ROOTS.segment.edits).set("nope", { text: "x", deleted: false, at: 1 }),
    );
    writes = inspectUpdate(server, unknown).writes;
    expect(refuseWrites(segment, "bob", writes, lookupIn(server, writes))).toMatch(/refer to a message/);
    const badShape = clientUpdate(server, (doc) =>
      doc.getMap(ROOTS.segment.edits).set("m1", { text: "", deleted: false, at: 1 }),
    );
    writes = inspectUpdate(server, badShape).writes;
    expect(refuseWrites(segment, "bob", writes, lookupIn(server, writes))).toMatch(/edit shape/);
  });

  it("the admin's removal is the server's: no client writes its mark, and its author cannot replace it", () => {
    const server = new Y.Doc();
    const mine = createMessage("bob", "off topic", 1, "m1");
    appendMessage(server, mine);
    const judge = (change: (doc: Y.Doc) => void) => {
      const { writes } = inspectUpdate(server, clientUpdate(server, change));
      return refuseWrites(segment, "bob", writes, lookupIn(server, writes));
    };
    // Bob marks his own deletion as the admin's: refused, and so is anyone else's mark.
    const forgedMark = (doc: Y.Doc) =>
      doc.getMap(ROOTS.segment.edits).set("m1", { text: "", deleted: true, at: 1, removedByAdmin: true });
    expect(judge(forgedMark)).toMatch(/only the server marks/);
    const { writes } = inspectUpdate(server, clientUpdate(server, forgedMark));
    expect(refuseWrites(segment, "mallory", writes, lookupIn(server, writes))).toMatch(/only its author/);
    // The mark is only ever on a deletion.
    expect(
      judge((doc) =>
        doc.getMap(ROOTS.segment.edits).set("m1", { text: "x", deleted: false, at: 1, removedByAdmin: true }),
      ),
    ).toMatch(/edit shape/);

    // The server removes it (as the admin's request does): bob may neither edit it nor delete it as his own.
    removeMessageAsAdmin(server, "m1");
    expect(applyEdit(listMessages(server)[0]!, undefined)).toMatchObject({
      deleted: true,
      removedByAdmin: true,
    });
    expect(judge((doc) => deleteMessage(doc, mine, "bob"))).toMatch(/an admin removed this message/);
    expect(
      judge((doc) => doc.getMap(ROOTS.segment.edits).set("m1", { text: "back", deleted: false, at: 2 })),
    ).toMatch(/an admin removed this message|stays deleted/);
    expect(judge((doc) => doc.getMap(ROOTS.segment.edits).delete("m1"))).not.toBeNull();
  });

  it("keeps a deleted message deleted: no edit over the deletion, no removing it", () => {
    const server = new Y.Doc();
    const mine = createMessage("bob", "regret", 1, "m1");
    appendMessage(server, mine);
    Y.applyUpdate(
      server,
      clientUpdate(server, (doc) => deleteMessage(doc, mine, "bob")),
    );
    const judge = (change: (doc: Y.Doc) => void) => {
      const { writes } = inspectUpdate(server, clientUpdate(server, change));
      return refuseWrites(segment, "bob", writes, lookupIn(server, writes));
    };
    const edits = (doc: Y.Doc) => doc.getMap(ROOTS.segment.edits);
    // A raw edit record over the deletion (the model refuses this; a modified client need not).
    expect(judge((doc) => edits(doc).set("m1", { text: "back", deleted: false, at: 2 }))).toBe(
      "a deleted message stays deleted",
    );
    expect(judge((doc) => edits(doc).delete("m1"))).toBe("a deleted message stays deleted");
    // Deleted, then edited, in one crafted update that keeps the deletion record's content.
    const fresh = new Y.Doc();
    const other = createMessage("bob", "oops", 1, "m2");
    appendMessage(fresh, other);
    const crafted = new Y.Doc({ gc: false });
    Y.applyUpdate(crafted, Y.encodeStateAsUpdate(fresh));
    const before = Y.encodeStateVector(crafted);
    deleteMessage(crafted, other, "bob");
    edits(crafted).set("m2", { text: "undeleted", deleted: false, at: 3 });
    const { writes } = inspectUpdate(fresh, Y.encodeStateAsUpdate(crafted, before));
    expect(refuseWrites(segment, "bob", writes, lookupIn(fresh, writes))).toBe(
      "a deleted message stays deleted",
    );
    // Deleting again (a second device) replaces the deletion with a deletion: allowed.
    expect(judge((doc) => deleteMessage(doc, mine, "bob", 5))).toBeNull();
    // Editing and deleting a message that is not deleted still work.
    const live = createMessage("bob", "fine", 2, "m3");
    appendMessage(server, live);
    expect(judge((doc) => editMessage(doc, live, "bob", "finer"))).toBeNull();
    expect(judge((doc) => deleteMessage(doc, live, "bob"))).toBeNull();
  });

  it("accepts what an honest device sends after a while offline: entries written twice arrive without their first content", () => {
    // Yjs sends a map entry that was replaced before the update went out as an item with no content.
    const server = new Y.Doc();
    const mine = createMessage("bob", "draft thought", 1, "m1");
    const kept = createMessage("bob", "keep me", 2, "m2");
    appendMessage(server, mine);
    appendMessage(server, kept);
    const judge = (
      userId: string,
      change: (doc: Y.Doc) => void,
      ref: typeof segment | typeof room = segment,
    ) => {
      const { writes } = inspectUpdate(server, clientUpdate(server, change));
      return refuseWrites(ref, userId, writes, lookupIn(server, writes));
    };
    const readTwice = (doc: Y.Doc) => {
      markReadUpTo(doc, "bob", 1);
      markReadUpTo(doc, "bob", 2);
      markReadUpTo(doc, "bob", 3);
    };
    expect(judge("bob", readTwice, room)).toBeNull();
    expect(judge("mallory", readTwice, room)).toBe("members move only their own read marker");
    const editTwiceThenDelete = (doc: Y.Doc) => {
      editMessage(doc, mine, "bob", "second thought");
      editMessage(doc, mine, "bob", "third thought");
      deleteMessage(doc, mine, "bob");
    };
    expect(judge("bob", editTwiceThenDelete)).toBeNull();
    expect(judge("mallory", editTwiceThenDelete)).toBe("only its author edits or deletes a message");
    expect(
      judge("bob", (doc) => {
        editMessage(doc, kept, "bob", "one");
        editMessage(doc, kept, "bob", "two");
      }),
    ).toBeNull();
    const reactOffAndOn = (doc: Y.Doc) => {
      toggleReaction(doc, "m2", "👍", "bob");
      toggleReaction(doc, "m2", "👍", "bob");
      toggleReaction(doc, "m2", "👍", "bob");
    };
    expect(judge("bob", reactOffAndOn)).toBeNull();
  });

  it("keeps a deleted message deleted against entries without content, too", () => {
    const server = new Y.Doc();
    const mine = createMessage("bob", "regret", 1, "m1");
    appendMessage(server, mine);
    Y.applyUpdate(
      server,
      clientUpdate(server, (doc) => deleteMessage(doc, mine, "bob")),
    );
    const edits = (doc: Y.Doc) => doc.getMap(ROOTS.segment.edits);
    // An entry written over the deletion and removed again: sent without content, it would end the
    // key's chain and hide the deletion.
    const hidden = clientUpdate(server, (doc) => {
      edits(doc).set("m1", { text: "back", deleted: false, at: 2 });
      edits(doc).delete("m1");
    });
    const { writes } = inspectUpdate(server, hidden);
    expect(writes.some((w) => w.op === "insert" && w.contentless)).toBe(true);
    expect(refuseWrites(segment, "bob", writes, lookupIn(server, writes))).toBe(
      "a deleted message stays deleted",
    );
    // Within one update only where it ends counts: deleted, then written over and removed again, with
    // every item sent without content, leaves a message nobody ever saw deleted (and is accepted).
    const fresh = new Y.Doc();
    const other = createMessage("bob", "oops", 1, "m2");
    appendMessage(fresh, other);
    const after = clientUpdate(fresh, (doc) => {
      deleteMessage(doc, other, "bob");
      edits(doc).set("m2", { text: "undeleted", deleted: false, at: 3 });
      edits(doc).delete("m2");
    });
    const afterWrites = inspectUpdate(fresh, after).writes;
    expect(refuseWrites(segment, "bob", afterWrites, lookupIn(fresh, afterWrites))).toBeNull();
  });

  it("finds where a key's chain ends in n log n: 20,000 items under one key are judged at once", () => {
    const server = new Y.Doc();
    const mine = createMessage("bob", "regret", 1, "m1");
    appendMessage(server, mine);
    Y.applyUpdate(
      server,
      clientUpdate(server, (doc) => deleteMessage(doc, mine, "bob")),
    );
    const chained = (length: number, contentlessEnd: boolean) =>
      Array.from({ length }, (_, i) => ({
        op: "insert" as const,
        root: ROOTS.segment.edits,
        key: "m1",
        values: i === length - 1 && !contentlessEnd ? [{ text: "", deleted: true, at: 9 }] : null,
        contentless: i < length - 1 || contentlessEnd,
        client: 7,
        clock: i,
        span: 1,
        origin: i === 0 ? null : { client: 7, clock: i - 1 },
      }));
    expect(refuseWrites(segment, "bob", chained(20_000, true), lookupIn(server, []))).toBe(
      "a deleted message stays deleted",
    );
    expect(refuseWrites(segment, "bob", chained(20_000, false), lookupIn(server, []))).toBeNull();

    // The growth, not a time: ten times the items may cost about 13 times as much in n log n and
    // would cost 100 times in n². Best of five runs of each size, measured side by side.
    const judge = (writes: ReturnType<typeof chained>) => {
      const started = performance.now();
      refuseWrites(segment, "bob", writes, lookupIn(server, []));
      return performance.now() - started;
    };
    const small = chained(2_000, false);
    const large = chained(20_000, false);
    let smallBest = Number.POSITIVE_INFINITY;
    let largeBest = Number.POSITIVE_INFINITY;
    for (let round = 0; round < 5; round++) {
      smallBest = Math.min(smallBest, judge(small));
      largeBest = Math.min(largeBest, judge(large));
    }
    expect(largeBest / Math.max(smallBest, 0.05)).toBeLessThan(40);
  });

  it("refuses a message id the segment already holds, or that one update carries twice", () => {
    const server = new Y.Doc();
    const first = createMessage("bob", "hello", 1, "m1");
    appendMessage(server, first);
    const lookup = {
      message: () => undefined,
      stored: (id: string) => findMessage(server, id) !== undefined,
    };
    // The same record replayed under a new Yjs client id: a new item with an old message id.
    const replay = clientUpdate(server, (doc) => appendMessage(doc, first));
    expect(refuseWrites(segment, "bob", inspectUpdate(server, replay).writes, lookup)).toMatch(/used once/);
    const twice = clientUpdate(server, (doc) => {
      const again = createMessage("bob", "twice", 2, "m2");
      appendMessage(doc, again);
      appendMessage(doc, again);
    });
    expect(refuseWrites(segment, "bob", inspectUpdate(server, twice).writes, lookup)).toMatch(/used once/);
    const fresh = clientUpdate(server, (doc) => appendMessage(doc, createMessage("bob", "new", 3, "m3")));
    expect(refuseWrites(segment, "bob", inspectUpdate(server, fresh).writes, lookup)).toBeNull();
  });

  it("refuses a client writing a line about the room", () => {
    const server = new Y.Doc();
    const update = clientUpdate(server, (doc) =>
      appendMessage(doc, createEventLine("bob", "bob added bob", { type: "member-added", userId: "bob" })),
    );
    expect(refuseWrites(segment, "bob", inspectUpdate(server, update).writes)).toMatch(/only the server/);
  });

  it("keeps the per-user index's counts and mention list the server's, and drafts the owner's", () => {
    const user = { kind: "user", userId: "bob" } as const;
    const server = new Y.Doc();
    const counts = clientUpdate(server, (doc) =>
      putIndexedRoom(doc, {
        roomId: "r",
        name: "r",
        kind: "channel",
        lastActivity: 1,
        unread: 0,
        mentions: 0,
        archived: false,
      }),
    );
    expect(refuseWrites(user, "bob", inspectUpdate(server, counts).writes)).toMatch(
      /"rooms" of the user index/,
    );
    const mention = clientUpdate(server, (doc) =>
      putMention(doc, { roomId: "r", messageId: "m", seq: 1, author: "a", at: 1, preview: "hi" }),
    );
    expect(refuseWrites(user, "bob", inspectUpdate(server, mention).writes)).toMatch(
      /"mentions" of the user index/,
    );
    const draft = clientUpdate(server, (doc) => doc.getMap(ROOTS.user.drafts).set("r", "half a thought"));
    expect(refuseWrites(user, "bob", inspectUpdate(server, draft).writes)).toBeNull();
  });
});

describe("drafts in the user index", () => {
  const user = { kind: "user", userId: "bob" } as const;
  it("lets the owner type, edit and clear a room's draft, as text only", () => {
    const server = new Y.Doc();
    const typed = clientUpdate(server, (doc) => setDraft(doc, "room1", "hello wor"));
    expect(refuseWrites(user, "bob", inspectUpdate(server, typed).writes)).toBeNull();
    Y.applyUpdate(server, typed);
    const edited = clientUpdate(server, (doc) => setDraft(doc, "room1", "hello world"));
    expect(refuseWrites(user, "bob", inspectUpdate(server, edited).writes)).toBeNull();
    Y.applyUpdate(server, edited);
    const cleared = clientUpdate(server, (doc) => setDraft(doc, "room1", ""));
    expect(refuseWrites(user, "bob", inspectUpdate(server, cleared).writes)).toBeNull();
    const embedded = clientUpdate(server, (doc) =>
      doc.getText(draftRootName("room1")).insertEmbed(0, { x: 1 }),
    );
    expect(refuseWrites(user, "bob", inspectUpdate(server, embedded).writes)).toMatch(/text only/);
    const index = clientUpdate(server, (doc) => doc.getMap(ROOTS.user.rooms).set("room1", { unread: 0 }));
    expect(refuseWrites(user, "bob", inspectUpdate(server, index).writes)).toMatch(/server only/);
  });
});

it("accepts draft characters typed and deleted before they were sent", () => {
  const server = new Y.Doc();
  const update = clientUpdate(server, (doc) => {
    setDraft(doc, "room1", "typo");
    setDraft(doc, "room1", "ty");
    setDraft(doc, "room1", "type");
  });
  const { writes } = inspectUpdate(server, update);
  expect(refuseWrites({ kind: "user", userId: "bob" }, "bob", writes)).toBeNull();
});

describe("caps on the user index", () => {
  const user = { kind: "user", userId: "bob" } as const;
  const judge = (server: Y.Doc, change: (doc: Y.Doc) => void) => {
    const { writes } = inspectUpdate(server, clientUpdate(server, change));
    return refuseWrites(user, "bob", writes, lookupIn(server, writes));
  };
  const text = (doc: Y.Doc, roomId = "room1") => doc.getText(draftRootName(roomId));

  it("caps a draft's final length exactly, counting what the update adds and removes", () => {
    const server = new Y.Doc();
    expect(judge(server, (doc) => text(doc).insert(0, "x".repeat(MAX_DRAFT_LENGTH)))).toBeNull();
    expect(judge(server, (doc) => text(doc).insert(0, "x".repeat(MAX_DRAFT_LENGTH + 1)))).toBe(
      `a draft is at most ${MAX_DRAFT_LENGTH} characters`,
    );
    Y.applyUpdate(
      server,
      clientUpdate(server, (doc) => text(doc).insert(0, "y".repeat(MAX_DRAFT_LENGTH - 5))),
    );
    // Replacing 10 characters with 15 (+5) fits; with 16 (+6) it does not.
    expect(
      judge(server, (doc) => {
        text(doc).delete(100, 10);
        text(doc).insert(100, "z".repeat(15));
      }),
    ).toBeNull();
    expect(
      judge(server, (doc) => {
        text(doc).delete(100, 10);
        text(doc).insert(100, "z".repeat(16));
      }),
    ).toMatch(/draft is at most/);
    // Typed and deleted again before sending: nothing added.
    expect(
      judge(server, (doc) => {
        text(doc).insert(0, "abcdefgh");
        text(doc).delete(0, 8);
      }),
    ).toBeNull();
  });

  it("counts characters a crafted update deletes twice only once", () => {
    const server = new Y.Doc();
    server.clientID = 5;
    text(server).insert(0, "x".repeat(MAX_DRAFT_LENGTH));
    // Six characters appended (+6), and the delete set lists the range [0, 4) twice (−4, not −8).
    const honest = clientUpdate(server, (doc) => text(doc).insert(MAX_DRAFT_LENGTH, "abcdef"));
    expect(honest[honest.length - 1]).toBe(0); // no deletions: the delete set is one 0
    const crafted = new Uint8Array([...honest.subarray(0, -1), 1, 5, 2, 0, 4, 0, 4]);
    const { writes } = inspectUpdate(server, crafted);
    expect(writes.filter((w) => w.op === "delete").map((w) => w.length)).toEqual([4]);
    expect(refuseWrites(user, "bob", writes, lookupIn(server, writes))).toMatch(/draft is at most/);
  });

  it("always accepts shortening a draft that is over the cap (an older server let it grow)", () => {
    const server = new Y.Doc();
    text(server).insert(0, "x".repeat(MAX_DRAFT_LENGTH + 500));
    expect(judge(server, (doc) => text(doc).delete(0, 100))).toBeNull();
    expect(
      judge(server, (doc) => {
        text(doc).delete(0, 100);
        text(doc).insert(0, "y".repeat(100));
      }),
    ).toBeNull();
    expect(
      judge(server, (doc) => {
        text(doc).delete(0, 100);
        text(doc).insert(0, "y".repeat(101));
      }),
    ).toMatch(/draft is at most/);
  });

  it(`holds at most ${MAX_DRAFTS} drafts`, () => {
    const server = new Y.Doc();
    for (let i = 0; i < MAX_DRAFTS; i++) setDraft(server, `room${i}`, "d");
    expect(judge(server, (doc) => setDraft(doc, "room7", "more"))).toBeNull();
    expect(judge(server, (doc) => setDraft(doc, "another", "one too many"))).toBe(
      `at most ${MAX_DRAFTS} drafts`,
    );
    expect(judge(server, (doc) => doc.getMap(ROOTS.user.drafts).set("legacy", "x"))).toBe(
      `at most ${MAX_DRAFTS} drafts`,
    );
  });

  it("takes settings as small plain values under a short name, and at most a hundred of them", () => {
    const server = new Y.Doc();
    const settings = (doc: Y.Doc) => doc.getMap(ROOTS.user.settings);
    for (const value of ["dark", 3, true, null, "x".repeat(MAX_SETTING_VALUE_LENGTH)])
      expect(
        judge(server, (doc) => settings(doc).set("theme", value)),
        String(value),
      ).toBeNull();
    expect(judge(server, (doc) => settings(doc).set("theme", { nested: { deep: 1 } }))).toMatch(
      /a setting is a plain value/,
    );
    expect(judge(server, (doc) => settings(doc).set("theme", ["a"]))).toMatch(/plain value/);
    expect(
      judge(server, (doc) => settings(doc).set("theme", "x".repeat(MAX_SETTING_VALUE_LENGTH + 1))),
    ).toMatch(/text is at most/);
    expect(judge(server, (doc) => settings(doc).set("k".repeat(65), 1))).toMatch(/setting's name/);
    expect(judge(server, (doc) => settings(doc).set("n", new Y.Map()))).toMatch(/plain map values/);
    for (let i = 0; i < MAX_SETTINGS; i++) settings(server).set(`s${i}`, i);
    expect(judge(server, (doc) => settings(doc).set("s3", 33))).toBeNull();
    expect(judge(server, (doc) => settings(doc).set("s-new", 1))).toBe(`at most ${MAX_SETTINGS} settings`);
    expect(judge(server, (doc) => settings(doc).delete("s3"))).toBeNull();
  });

  it("takes notification levels for well-formed room ids, known levels only, and a valid do-not-disturb", () => {
    const server = new Y.Doc();
    const notify = (doc: Y.Doc) => doc.getMap(ROOTS.user.notify);
    const roomId = newId();
    expect(judge(server, (doc) => setNotifyLevel(doc, roomId, "nothing"))).toBeNull();
    expect(judge(server, (doc) => notify(doc).set(roomId, "loud"))).toMatch(/one of all, mentions, nothing/);
    expect(judge(server, (doc) => notify(doc).set("../etc", "all"))).toMatch(/keyed by a room id/);
    expect(judge(server, (doc) => notify(doc).set(roomId, new Y.Map()))).toMatch(/plain map values/);
    const daily = { from: "22:00", to: "07:00", timeZone: "Europe/Berlin" };
    expect(judge(server, (doc) => setDoNotDisturb(doc, { until: Date.now() + 3_600_000, daily }))).toBeNull();
    expect(judge(server, (doc) => notify(doc).set("dnd", { daily: { ...daily, from: "25:00" } }))).toMatch(
      /HH:MM/,
    );
    expect(
      judge(server, (doc) => notify(doc).set("dnd", { daily: { ...daily, timeZone: "Nowhere/Else" } })),
    ).toMatch(/time zone/);
    expect(judge(server, (doc) => notify(doc).set("dnd", { until: 1, evil: "x".repeat(10_000) }))).toMatch(
      /until/,
    );
    setNotifyLevel(server, roomId, "all");
    expect(judge(server, (doc) => notify(doc).delete(roomId))).toBeNull();
    for (let i = notify(server).size; i < MAX_NOTIFY_ENTRIES; i++) setNotifyLevel(server, newId(), "all");
    expect(judge(server, (doc) => setNotifyLevel(doc, roomId, "nothing"))).toBeNull();
    expect(judge(server, (doc) => setNotifyLevel(doc, newId(), "nothing"))).toBe(
      `at most ${MAX_NOTIFY_ENTRIES} notification entries`,
    );
  });
});

describe("reactions in a segment", () => {
  const judge = (server: Y.Doc, userId: string, change: (doc: Y.Doc) => void) => {
    const { writes } = inspectUpdate(server, clientUpdate(server, change));
    return refuseWrites(segment, userId, writes, lookupIn(server, writes));
  };
  const raw =
    (key: string, value: unknown = 1) =>
    (doc: Y.Doc) =>
      messageReactions(doc).set(key, value as number);

  it("lets each member react and unreact as themselves only, on a message of this segment", () => {
    const server = new Y.Doc();
    appendMessage(server, createMessage("bob", "lunch?", 1, "m1"));
    expect(judge(server, "alice", (doc) => toggleReaction(doc, "m1", "👍", "alice"))).toBeNull();
    expect(judge(server, "mallory", (doc) => toggleReaction(doc, "m1", "👍", "alice"))).toBe(
      "members react only as themselves",
    );
    expect(judge(server, "alice", (doc) => toggleReaction(doc, "nope", "👍", "alice"))).toBe(
      "a reaction must refer to a message of this segment",
    );
    // Reacting to a message the same update appends (both offline).
    expect(
      judge(server, "alice", (doc) => {
        appendMessage(doc, createMessage("alice", "me too", 2, "m2"));
        toggleReaction(doc, "m2", "🎉", "alice");
      }),
    ).toBeNull();

    Y.applyUpdate(
      server,
      clientUpdate(server, (doc) => toggleReaction(doc, "m1", "👍", "alice")),
    );
    expect(judge(server, "alice", (doc) => toggleReaction(doc, "m1", "👍", "alice"))).toBeNull(); // unreact
    expect(
      judge(server, "mallory", (doc) => messageReactions(doc).delete(reactionKey("m1", "👍", "alice"))),
    ).toBe("members react only as themselves");
  });

  it("refuses what is not a reaction: bad keys, non-emoji, odd values, lines about the room", () => {
    const server = new Y.Doc();
    appendMessage(server, createMessage("bob", "hi", 1, "m1"));
    appendMessage(
      server,
      createEventLine("bob", "bob added alice", { type: "member-added", userId: "alice" }),
    );
    const line = [...messagesById(server).values()].find((m) => m.event)!;
    expect(judge(server, "alice", raw("m1:👍:alice"))).toMatch(/keyed by message, emoji and person/);
    expect(judge(server, "alice", raw(reactionKey("m1", "lol", "alice")))).toBe("a reaction is one emoji");
    expect(judge(server, "alice", raw(reactionKey("m1", "👍".repeat(17), "alice")))).toMatch(/at most 32/);
    expect(judge(server, "alice", raw(reactionKey("m1", "👍", "alice"), "yes"))).toMatch(/value is its time/);
    expect(judge(server, "alice", raw(reactionKey("m1", "👍", "alice"), { at: 1 }))).toMatch(
      /value is its time/,
    );
    expect(judge(server, "alice", raw(reactionKey(line.id, "👍", "alice")))).toMatch(/refer to a message/);
    expect(
      judge(server, "alice", (doc) =>
        messageReactions(doc).set(reactionKey("m1", "👍", "alice"), new Y.Map() as never),
      ),
    ).not.toBeNull();
    Y.applyUpdate(
      server,
      clientUpdate(server, (doc) => toggleReaction(doc, "m1", "👍", "alice")),
    );
    Y.applyUpdate(
      server,
      clientUpdate(server, (doc) => deleteMessage(doc, { id: "m1", author: "bob" }, "bob")),
    );
    // A reaction that raced the deletion (both offline) is accepted, not shown: refusing it would
    // drop the rest of its offline update.
    expect(judge(server, "carol", (doc) => toggleReaction(doc, "m1", "👍", "carol"))).toBeNull();
    // Taking one's reaction back from a deleted message is still one's own business.
    expect(judge(server, "alice", (doc) => toggleReaction(doc, "m1", "👍", "alice"))).toBeNull();
  });

  it("caps the different emoji on a message, counting those already there", () => {
    const server = new Y.Doc();
    appendMessage(server, createMessage("bob", "vote", 1, "m1"));
    const emoji = [..."😀😃😄😁😆😅😂🤣😊😇🙂🙃😉😌😍🥰😘😗😙"];
    Y.applyUpdate(
      server,
      clientUpdate(server, (doc) => {
        for (const e of emoji) toggleReaction(doc, "m1", e, "alice");
      }),
    );
    expect(judge(server, "bob", raw(reactionKey("m1", "😚", "bob")))).toBeNull(); // the 20th
    expect(
      judge(server, "bob", (doc) => {
        raw(reactionKey("m1", "😚", "bob"))(doc);
        raw(reactionKey("m1", "🤪", "bob"))(doc);
      }),
    ).toBe("a message takes at most 20 different reactions");
    expect(judge(server, "bob", raw(reactionKey("m1", "😀", "bob")))).toBeNull(); // joining one already there
  });
});

describe("the cap on thread read positions", () => {
  const room = { kind: "room", roomId: "room1" } as const;
  const judge = (server: Y.Doc, userId: string, change: (doc: Y.Doc) => void) => {
    const { writes } = inspectUpdate(server, clientUpdate(server, change));
    return refuseWrites(room, userId, writes, lookupIn(server, writes));
  };
  const reads = (doc: Y.Doc) => doc.getMap<number>(ROOTS.room.threadReads);

  it("lets each member keep MAX_THREAD_READS_PER_MEMBER positions, moving them freely, and no more", () => {
    const server = new Y.Doc();
    Y.applyUpdate(
      server,
      clientUpdate(server, (doc) => {
        for (let i = 0; i < MAX_THREAD_READS_PER_MEMBER - 1; i++) reads(doc).set(`bob/root${i}`, 1);
        reads(doc).set("alice/root0", 1);
      }),
    );
    expect(judge(server, "bob", (doc) => reads(doc).set("bob/last", 3))).toBeNull();
    expect(
      judge(server, "bob", (doc) => {
        reads(doc).set("bob/last", 3);
        reads(doc).set("bob/one-too-many", 3);
      }),
    ).toBe(`at most ${MAX_THREAD_READS_PER_MEMBER} thread read positions per member`);
    // Moving one already held adds nothing; another member's positions are theirs.
    expect(judge(server, "bob", (doc) => reads(doc).set("bob/root7", 9))).toBeNull();
    expect(judge(server, "alice", (doc) => reads(doc).set("alice/root1", 2))).toBeNull();
    // Only one's own keys, as sequence numbers.
    expect(judge(server, "bob", (doc) => reads(doc).set("alice/root1", 2))).toBe(
      "members move only their own read marker in a thread",
    );
  });
});
