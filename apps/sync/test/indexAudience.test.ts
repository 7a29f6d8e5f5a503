import {
  appendMessage,
  createMessage,
  getIndexedRoom,
  roomDocName,
  segmentDocName,
  userDocName,
} from "@chat/model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as Y from "yjs";
import {
  api,
  createStorage,
  Device,
  eventually,
  joinRoom,
  metricValue,
  readMetrics,
  signUp,
  startTestServer,
  type TestServer,
  type TestStorage,
  type TestUser,
  uniqueName,
} from "./harness.ts";

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

/** The server's own changes to index documents so far (chat_server_changes_total{document="user"}). */
async function indexChanges(): Promise<number> {
  return metricValue(await readMetrics(server), 'chat_server_changes_total{document="user"}');
}

describe("recounts are written only to the indexes somebody has open", () => {
  it("leaves the indexes of people with no device alone; they see every count when they come back", async () => {
    const alice = await signUp(server, "alice");
    const room = await api(server, "POST", "/api/rooms", { name: uniqueName("busy ") }, alice.cookie);
    const roomId = room.body.room.id as string;
    // Twelve members: two keep their index open, ten joined and went away.
    const online = [await signUp(server, "on"), await signUp(server, "on")];
    const offline: TestUser[] = [];
    for (let i = 0; i < 10; i++) offline.push(await signUp(server, "off"));
    for (const member of offline) {
      await joinRoom(server, member, roomId);
    }
    const indexes: Y.Doc[] = [];
    for (const member of online) {
      await joinRoom(server, member, roomId);
      const d = device(member);
      await d.open(roomDocName(roomId));
      indexes.push((await d.open(userDocName(member.id))).doc);
    }
    // Let the joins' own index writes (and the documents held after them) pass.
    await new Promise((resolve) => setTimeout(resolve, 4_000));

    const segment = await device(alice).open(segmentDocName(roomId, 0));
    const before = await indexChanges();
    for (let n = 1; n <= 5; n++) {
      appendMessage(segment.doc, createMessage(alice.id, `message ${n}`));
      await eventually(
        () => indexes.every((doc) => getIndexedRoom(doc, roomId)?.unread === n),
        10_000,
        `both open indexes to count message ${n}`,
      );
    }
    // Alice's own index is not open either. Five messages, three watchers at most (alice's entry
    // changes too): written for the two people watching, never for the ten away.
    const written = (await indexChanges()) - before;
    expect(written).toBeGreaterThanOrEqual(2);
    expect(written).toBeLessThanOrEqual(2 * 5);
    for (const member of offline) expect(server.hocuspocus.documents.has(userDocName(member.id))).toBe(false);

    // One of them comes back: the index shows all five at once.
    const back = await device(offline[0]!).open(userDocName(offline[0]!.id));
    expect(getIndexedRoom(back.doc, roomId)?.unread).toBe(5);
  }, 60_000);

  it("brings an index loaded with nobody watching in line when a device opens it", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const room = await api(server, "POST", "/api/rooms", { name: uniqueName("quiet ") }, alice.cookie);
    const roomId = room.body.room.id as string;
    const segment = await device(alice).open(segmentDocName(roomId, 0));
    // A mention brings bob in and is written to his index, which the server loads for it and keeps
    // open a moment (DocumentWriter) with no device on it.
    appendMessage(segment.doc, createMessage(alice.id, `hello @${bob.username}`));
    await eventually(
      () => server.hocuspocus.documents.has(userDocName(bob.id)),
      10_000,
      "bob's index loaded",
    );
    // Two more messages while it is loaded and unwatched: their recounts pass it over.
    for (let n = 2; n <= 3; n++) appendMessage(segment.doc, createMessage(alice.id, `message ${n}`));
    await eventually(
      async () => {
        const [row] = await server.db.query<{ n: number }>(
          "select count(*)::int as n from room_messages where room_id = $1",
          [roomId],
        );
        return row!.n === 3;
      },
      10_000,
      "the messages numbered",
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(server.hocuspocus.documents.has(userDocName(bob.id))).toBe(true);
    const index = await device(bob).open(userDocName(bob.id));
    await eventually(
      () => getIndexedRoom(index.doc, roomId)?.unread === 3,
      5_000,
      "bob's index to count all three",
    );
    expect(getIndexedRoom(index.doc, roomId)?.mentions).toBe(1);
  }, 60_000);
});
