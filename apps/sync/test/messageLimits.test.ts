import { appendMessage, createMessage, listMessages, type MessageRecord, segmentDocName } from "@chat/model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { DEFAULT_LIMITS } from "../src/limits/policy.ts";
import {
  api,
  closeReason,
  createStorage,
  Device,
  eventually,
  signUp,
  startTestServer,
  storedDoc,
  type TestServer,
  type TestStorage,
  type TestUser,
  uniqueName,
} from "./harness.ts";

/**
 * Messages are counted, not updates (issue 17): one update may carry at most
 * `messagesPerUpdate` new messages, whatever the per-minute allowance says. The server runs with the
 * production limits here: the honest backlog below must get through them as they are.
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
  server = await startTestServer(storage, 0, {}, { limits: DEFAULT_LIMITS });
});
afterAll(async () => {
  for (const d of devices) d.destroy();
  await server?.close();
  await storage?.dispose();
});

async function newRoom(owner: TestUser): Promise<string> {
  const { body } = await api(server, "POST", "/api/rooms", { name: uniqueName("room ") }, owner.cookie);
  return body.room.id as string;
}

const batch = (author: string, count: number, label: string): MessageRecord[] =>
  Array.from({ length: count }, (_, i) => createMessage(author, `${label} ${i}`));

async function sequencedRows(roomId: string): Promise<number> {
  const rows = await server.db.query<{ n: string }>(
    "select count(*) as n from room_messages where room_id = $1",
    [roomId],
  );
  return Number(rows[0]!.n);
}

describe("messages per update", () => {
  it("one update of 20,000 messages is refused for good: nothing stored or numbered, others served meanwhile", async () => {
    const mallory = await signUp(server, "mallory");
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const floodRoom = await newRoom(mallory);
    const quietRoom = await newRoom(alice);
    const name = segmentDocName(floodRoom, 0);
    const a = await device(alice).open(segmentDocName(quietRoom, 0));
    const b = await device(bob).open(segmentDocName(quietRoom, 0));

    const m = await device(mallory).open(name);
    const closing = closeReason(m.provider);
    m.doc.transact(() => {
      const list = m.doc.getArray<MessageRecord>("messages");
      list.insert(list.length, batch(mallory.id, 20_000, "spam"));
    });
    const notClosed = new Promise<string>((resolve) => setTimeout(() => resolve("not closed"), 15_000));
    expect(await Promise.race([closing, notClosed])).toBe(
      "forbidden-write: at most 500 new messages in one update, not 20000",
    );

    // Another room is served as ever.
    appendMessage(a.doc, createMessage(alice.id, "still here"));
    const delivered = await eventually(
      () => listMessages(b.doc).find((x) => x.text === "still here" && x.seq !== null),
      5_000,
      "alice's message numbered and delivered to bob",
    );
    expect(delivered.seq).toBe(1);

    // Nothing of the flood is stored, numbered or served to anyone opening the segment afresh.
    expect(listMessages(await storedDoc(server, name))).toEqual([]);
    expect(await sequencedRows(floodRoom)).toBe(0);
    const fresh = await device(mallory).open(name);
    expect(listMessages(fresh.doc)).toEqual([]);
  });

  it("an honest offline backlog gets through whole, though it is more than the per-minute allowance", async () => {
    const alice = await signUp(server, "alice");
    const roomId = await newRoom(alice);
    const name = segmentDocName(roomId, 0);
    const doc = new Y.Doc();
    const online = await device(alice).open(name, doc);
    appendMessage(doc, createMessage(alice.id, "before the flight"));
    await eventually(() => listMessages(doc)[0]?.seq === 1, 5_000, "the first message numbered");

    // Offline: the device keeps writing into the segment it has, 400 messages in all (more than the
    // 300 a minute an account may send live). Back online, they go out as one update.
    online.provider.destroy();
    const backlog = 400;
    expect(backlog).toBeGreaterThan(DEFAULT_LIMITS.account.messagesPerMinute);
    expect(backlog).toBeLessThanOrEqual(DEFAULT_LIMITS.account.messagesPerUpdate);
    for (const message of batch(alice.id, backlog, "written on the plane")) appendMessage(doc, message);
    await device(alice).open(name, doc);
    await eventually(
      () => listMessages(doc).every((x) => x.seq !== null),
      20_000,
      "every message of the backlog numbered",
    );
    expect(listMessages(doc).map((x) => x.seq)).toEqual(Array.from({ length: backlog + 1 }, (_, i) => i + 1));
    expect(listMessages(await storedDoc(server, name))).toHaveLength(backlog + 1);
  });
});
