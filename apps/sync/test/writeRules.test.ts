import {
  appendMessage,
  createMessage,
  deleteMessage,
  doNotDisturb,
  draftRootName,
  listMessages,
  MAX_DRAFT_LENGTH,
  MAX_MESSAGE_LENGTH,
  messageEdits,
  notifyLevel,
  ROOTS,
  roomDocName,
  segmentDocName,
  setDoNotDisturb,
  setNotifyLevel,
  userDocName,
} from "@chat/model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as Y from "yjs";
import {
  api,
  closeReason,
  createStorage,
  Device,
  eventually,
  joinRoom,
  signUp,
  startTestServer,
  storedDoc,
  type TestServer,
  type TestStorage,
  type TestUser,
  uniqueName,
} from "./harness.ts";

/**
 * Every bullet of "who writes what" attempted with the real provider (refusals.test.ts has the first
 * ones): each forbidden write closes the document with 4403 and reaches neither the other member nor
 * Postgres; the writes a person may make go through.
 */
let storage: TestStorage;
let server: TestServer;
const devices: Device[] = [];
const device = (user: TestUser) => {
  const d = new Device(server, user);
  devices.push(d);
  return d;
};
beforeAll(async () => {
  storage = await createStorage();
  server = await startTestServer(storage);
});
afterAll(async () => {
  for (const d of devices) d.destroy();
  await server?.close();
  await storage?.dispose();
});

describe("who writes what, attempted by a member with a modified client", () => {
  it("refuses every write the rules reserve for the server or for someone else", async () => {
    const alice = await signUp(server, "alice");
    const mallory = await signUp(server, "mallory");
    const room = await api(server, "POST", "/api/rooms", { name: uniqueName("room ") }, alice.cookie);
    const roomId = room.body.room.id as string;
    await joinRoom(server, mallory, roomId);
    const segment = segmentDocName(roomId, 0);
    const watcher = await device(alice).open(roomDocName(roomId));
    const aliceSegment = await device(alice).open(segment);
    appendMessage(aliceSegment.doc, createMessage(alice.id, "alice's words"));
    await eventually(() => !aliceSegment.provider.hasUnsyncedChanges, 5_000, "alice's message stored");

    // Each attempt: what it is, the document, the forbidden write, the refusal, and whether its
    // effect can be found in what Postgres stores.
    const attempts: Array<[string, string, (doc: Y.Doc) => void, RegExp, (doc: Y.Doc) => boolean]> = [
      [
        "members",
        roomDocName(roomId),
        (doc) => doc.getMap(ROOTS.room.members).set(mallory.id, { role: "admin" }),
        /written by the server only/,
        (doc) => JSON.stringify(doc.getMap(ROOTS.room.members).toJSON()).includes("admin"),
      ],
      [
        "segment list",
        roomDocName(roomId),
        (doc) => doc.getArray(ROOTS.room.segments).insert(0, [7]),
        /written by the server only/,
        (doc) => doc.getArray(ROOTS.room.segments).toArray().includes(7),
      ],
      [
        "a read marker that is not a number",
        roomDocName(roomId),
        (doc) => doc.getMap(ROOTS.room.reads).set(mallory.id, "all"),
        /sequence number/,
        (doc) => doc.getMap(ROOTS.room.reads).get(mallory.id) === "all",
      ],
      [
        "removing alice's message",
        segment,
        (doc) => doc.getArray(ROOTS.segment.messages).delete(0, 1),
        /never removed/,
        (doc) => doc.getArray(ROOTS.segment.messages).length === 0,
      ],
      [
        "a message in alice's name",
        segment,
        (doc) => appendMessage(doc, createMessage(alice.id, "forged")),
        /author must be its sender/,
        (doc) => JSON.stringify(doc.getArray(ROOTS.segment.messages).toJSON()).includes("forged"),
      ],
      [
        "mentions in one's own index",
        userDocName(mallory.id),
        (doc) => doc.getArray(ROOTS.user.mentions).insert(0, [{ roomId }]),
        /written by the server only/,
        (doc) => doc.getArray(ROOTS.user.mentions).length > 0,
      ],
      [
        "unread counts in one's own index",
        userDocName(mallory.id),
        (doc) => doc.getMap(ROOTS.user.rooms).set("fake", { unread: 0, mentions: 0 }),
        /written by the server only/,
        (doc) => doc.getMap(ROOTS.user.rooms).has("fake"),
      ],
      [
        "a draft over the message limit",
        userDocName(mallory.id),
        (doc) => doc.getMap(ROOTS.user.drafts).set(roomId, "x".repeat(MAX_MESSAGE_LENGTH + 1)),
        /draft must be text/,
        (doc) => doc.getMap(ROOTS.user.drafts).has(roomId),
      ],
      [
        "a room's draft text over the draft limit",
        userDocName(mallory.id),
        (doc) => doc.getText(draftRootName(roomId)).insert(0, "x".repeat(MAX_DRAFT_LENGTH + 1)),
        /a draft is at most/,
        (doc) => doc.getText(draftRootName(roomId)).length > 0,
      ],
      [
        "a setting that is a whole object",
        userDocName(mallory.id),
        (doc) => doc.getMap(ROOTS.user.settings).set("theme", { huge: "x".repeat(1000) }),
        /a setting is a plain value/,
        (doc) => doc.getMap(ROOTS.user.settings).has("theme"),
      ],
      [
        "a notification level nobody knows",
        userDocName(mallory.id),
        (doc) => doc.getMap(ROOTS.user.notify).set(roomId, "always, very loudly"),
        /a notification level is one of/,
        (doc) => doc.getMap(ROOTS.user.notify).has(roomId),
      ],
      [
        "a notification level keyed by something else than a room",
        userDocName(mallory.id),
        (doc) => doc.getMap(ROOTS.user.notify).set("x".repeat(5_000), "all"),
        /keyed by a room id/,
        (doc) => doc.getMap(ROOTS.user.notify).size > 0,
      ],
      [
        "a do-not-disturb window at a time that does not exist",
        userDocName(mallory.id),
        (doc) =>
          doc
            .getMap(ROOTS.user.notify)
            .set("dnd", { daily: { from: "22:00", to: "31:00", timeZone: "UTC" } }),
        /HH:MM/,
        (doc) => doc.getMap(ROOTS.user.notify).has("dnd"),
      ],
    ];
    for (const [what, name, write, reason, found] of attempts) {
      const { doc, provider } = await device(mallory).open(name);
      const closing = closeReason(provider);
      write(doc);
      expect(await closing, what).toMatch(new RegExp(`^forbidden-write: .*${reason.source}`));
      expect(found(await storedDoc(server, name)), `${what}: nothing stored`).toBe(false);
    }
    // Alice's view never changed.
    expect(watcher.doc.getMap(ROOTS.room.members).has(mallory.id)).toBe(true); // joined, as the server wrote
    expect(watcher.doc.getMap(ROOTS.room.members).get(mallory.id)).not.toEqual({ role: "admin" });
    expect(watcher.doc.getArray(ROOTS.room.segments).toArray()).not.toContain(7);
    expect(aliceSegment.doc.getArray(ROOTS.segment.messages).length).toBe(1);
  });

  it("lets the owner write drafts, settings and notification levels, and a member append as themselves", async () => {
    const alice = await signUp(server, "alice");
    const index = await device(alice).open(userDocName(alice.id));
    index.doc.getMap(ROOTS.user.drafts).set("r", "half a thought");
    index.doc.getMap(ROOTS.user.settings).set("theme", "dark");
    setNotifyLevel(index.doc, "room000000000001", "nothing");
    setDoNotDisturb(index.doc, { until: Date.now() + 3_600_000 });
    await eventually(() => !index.provider.hasUnsyncedChanges, 5_000, "drafts and settings stored");
    const fresh = await device(alice).open(userDocName(alice.id));
    expect(fresh.doc.getMap(ROOTS.user.drafts).get("r")).toBe("half a thought");
    expect(fresh.doc.getMap(ROOTS.user.settings).get("theme")).toBe("dark");
    expect(notifyLevel(fresh.doc, "room000000000001", "channel")).toBe("nothing");
    expect(doNotDisturb(fresh.doc)?.until).toBeGreaterThan(0);
  });

  it("keeps a deleted message deleted: the author's own edit over it is refused and not stored", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const room = await api(server, "POST", "/api/rooms", { name: uniqueName("room ") }, alice.cookie);
    const segment = segmentDocName(room.body.room.id, 0);
    const bobSide = await device(bob).open(segment);
    const a = await device(alice).open(segment);
    const message = createMessage(alice.id, "a secret, posted by mistake");
    appendMessage(a.doc, message);
    deleteMessage(a.doc, message, alice.id);
    await eventually(() => !a.provider.hasUnsyncedChanges, 5_000, "deletion stored");
    await eventually(
      () => listMessages(bobSide.doc).find((m) => m.id === message.id)?.deleted,
      5_000,
      "bob sees the deletion",
    );

    for (const [what, write] of [
      ["an edit", (doc: Y.Doc) => messageEdits(doc).set(message.id, { text: "back", deleted: false, at: 1 })],
      ["removing the deletion", (doc: Y.Doc) => messageEdits(doc).delete(message.id)],
    ] as const) {
      const again = await device(alice).open(segment);
      const closing = closeReason(again.provider);
      write(again.doc);
      expect(await closing, what).toBe("forbidden-write: a deleted message stays deleted");
    }
    expect(messageEdits(await storedDoc(server, segment)).get(message.id)?.deleted).toBe(true);
    expect(listMessages(bobSide.doc).find((m) => m.id === message.id)).toMatchObject({
      deleted: true,
      text: "",
    });
  });
});
