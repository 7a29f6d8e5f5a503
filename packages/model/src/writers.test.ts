import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { draftCount, draftRootName, setDraft } from "./drafts.ts";
import { deleteMessage, editMessage } from "./edits.ts";
import { appendMessage, createMessage } from "./messages.ts";
import { toggleReaction } from "./reactions.ts";
import { type DocRef, ROOTS } from "./schema.ts";
import { markReadUpTo } from "./unread.ts";
import { clientWrites, ROOT_WRITERS, rootWriter } from "./writers.ts";

/** The names of the roots a change to the document writes. */
function rootsWrittenBy(change: (doc: Y.Doc) => void, doc = new Y.Doc()): string[] {
  const written = new Set<string>();
  doc.on("afterTransaction", (transaction: Y.Transaction) => {
    for (const type of transaction.changed.keys()) {
      let root = type;
      while (root._item) root = root._item.parent as typeof type;
      written.add([...doc.share].find(([, shared]) => shared === root)![0]);
    }
  });
  change(doc);
  return [...written].sort();
}

describe("who writes each root", () => {
  it("follows the table of the documents in docs/architecture.md", () => {
    expect(rootWriter("directory", ROOTS.directory.users)).toBe("server");
    expect(rootWriter("directory", ROOTS.directory.rooms)).toBe("server");
    expect(rootWriter("room", ROOTS.room.reads)).toBe("members");
    for (const root of [ROOTS.room.meta, ROOTS.room.members, ROOTS.room.segments])
      expect(rootWriter("room", root)).toBe("server");
    for (const root of [ROOTS.segment.messages, ROOTS.segment.edits, ROOTS.segment.reactions])
      expect(rootWriter("segment", root)).toBe("members");
    expect(rootWriter("segment", ROOTS.segment.seq)).toBe("server");
    for (const root of [ROOTS.user.drafts, ROOTS.user.settings, ROOTS.user.notify, draftRootName("abc")])
      expect(rootWriter("user", root)).toBe("owner");
    for (const root of [ROOTS.user.rooms, ROOTS.user.mentions])
      expect(rootWriter("user", root)).toBe("server");
  });

  it("gives every root the schema names a writer, and roots it does not name to the server", () => {
    for (const kind of Object.keys(ROOTS) as DocRef["kind"][])
      expect(Object.keys(ROOT_WRITERS[kind]).sort()).toEqual(Object.keys(ROOTS[kind]).sort());
    for (const kind of Object.keys(ROOTS) as DocRef["kind"][]) {
      expect(clientWrites(kind, "made-up")).toBe(false);
      expect(clientWrites(kind, "__proto__")).toBe(false);
    }
    // A draft root belongs to the user index only.
    expect(clientWrites("room", draftRootName("abc"))).toBe(false);
  });

  it("names each root by its key, so a table keyed by root reads a write's root name directly", () => {
    for (const roots of Object.values(ROOTS))
      for (const [key, name] of Object.entries(roots)) expect(name).toBe(key);
  });

  it("lets a client make every change the model makes on its behalf", () => {
    const segment = new Y.Doc();
    const message = createMessage("alice", "hello", 1, "m1");
    const changes: Array<[DocRef["kind"], (doc: Y.Doc) => void, Y.Doc?]> = [
      ["room", (doc) => markReadUpTo(doc, "alice", 3)],
      ["user", (doc) => setDraft(doc, "room1", "half a thought")],
      ["segment", (doc) => appendMessage(doc, message), segment],
      ["segment", (doc) => editMessage(doc, message, "alice", "hello!", 2), segment],
      ["segment", (doc) => toggleReaction(doc, "m1", "👍", "alice", 3), segment],
      ["segment", (doc) => deleteMessage(doc, message, "alice", 4), segment],
    ];
    for (const [kind, change, doc] of changes) {
      const roots = rootsWrittenBy(change, doc);
      expect(roots.length).toBeGreaterThan(0);
      for (const root of roots) expect(clientWrites(kind, root), `${kind} ${root}`).toBe(true);
    }
  });
});

describe("draftCount", () => {
  it("counts draft texts and the older map's live entries without creating a root", () => {
    const doc = new Y.Doc();
    expect(draftCount(doc)).toBe(0);
    expect(doc.share.size).toBe(0);
    setDraft(doc, "room1", "a");
    setDraft(doc, "room2", "b");
    const legacy = doc.getMap<string>(ROOTS.user.drafts);
    legacy.set("room3", "c");
    legacy.set("room4", "d");
    legacy.delete("room4");
    expect(draftCount(doc)).toBe(3);
  });
});
