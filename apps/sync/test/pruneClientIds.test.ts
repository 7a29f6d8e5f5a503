import { appendMessage, createMessage, listMessages, segmentDocName } from "@chat/model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { PRUNE_SPARES_MS, pruneUnusedClientIds } from "../src/writes/pruneClientIds.ts";
import {
  api,
  createStorage,
  Device,
  eventually,
  joinRoom,
  signUp,
  startTestServer,
  type TestServer,
  type TestStorage,
  uniqueName,
} from "./harness.ts";

let storage: TestStorage;
let server: TestServer;
const devices: Device[] = [];
beforeAll(async () => {
  storage = await createStorage();
  server = await startTestServer(storage);
});
afterAll(async () => {
  for (const d of devices) d.destroy();
  await server?.close();
  await storage?.dispose();
});

const bound = async () =>
  new Set(
    (await server.db.query<{ client_id: string | number }>("select client_id from yjs_clients")).map((r) =>
      Number(r.client_id),
    ),
  );

describe("pruning Yjs client-id bindings nothing was written under", () => {
  it("removes them (sparing young ones), keeps every id a document holds, and the removed ids are free again", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const room = await api(server, "POST", "/api/rooms", { name: uniqueName("room ") }, alice.cookie);
    const roomId: string = room.body.room.id;
    const name = segmentDocName(roomId, 0);
    const aliceDevice = new Device(server, alice);
    const bobDevice = new Device(server, bob);
    devices.push(aliceDevice, bobDevice);
    const a = await aliceDevice.open(name);
    appendMessage(a.doc, createMessage(alice.id, "hello"));
    await eventually(() => listMessages(a.doc)[0]?.seq, 5_000, "alice's message sequenced");
    expect(await bound()).toContain(a.doc.clientID);

    // What presence used to leave behind: ids bound to alice that no document holds.
    const stale = [101, 202, 303];
    const young = 404;
    for (const id of stale)
      await server.db.query(
        "insert into yjs_clients (client_id, user_id, claimed_at) values ($1, $2, 'epoch')",
        [id, alice.id],
      );
    await server.db.query("insert into yjs_clients (client_id, user_id) values ($1, $2)", [young, alice.id]);

    const first = await pruneUnusedClientIds(server.db);
    expect(first.removed).toBe(stale.length);
    let left = await bound();
    for (const id of stale) expect(left).not.toContain(id);
    expect(left).toContain(young); // its write may still be on its way
    expect(left).toContain(a.doc.clientID);

    // A minute on, the young one goes too; alice's id stays: her message is stored under it.
    await pruneUnusedClientIds(server.db, Date.now() + 2 * PRUNE_SPARES_MS);
    left = await bound();
    expect(left).not.toContain(young);
    expect(left).toContain(a.doc.clientID);

    // Bob's device drawing a pruned id writes freely.
    await joinRoom(server, bob, roomId);
    const drawn = new Y.Doc();
    drawn.clientID = stale[0]!;
    const b = await bobDevice.open(name, drawn);
    appendMessage(b.doc, createMessage(bob.id, "with a pruned id"));
    await eventually(
      () => listMessages(a.doc).find((m) => m.text === "with a pruned id" && m.seq !== null),
      5_000,
      "alice to receive bob's message",
    );
  });
});
