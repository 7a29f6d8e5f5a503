import {
  appendMessage,
  createMessage,
  dmRoomId,
  getIndexedRoom,
  listMessages,
  roomDocName,
  segmentDocName,
  userDocName,
} from "@chat/model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { readDocument } from "../src/docs/documentStore.ts";
import {
  api,
  createStorage,
  Device,
  eventually,
  joinRoom,
  signUp,
  startServerBehindProxy,
  type TestServer,
  type TestStorage,
  uniqueName,
} from "./harness.ts";
import type { TcpProxy } from "./tcpProxy.ts";

/**
 * Postgres goes away while people chat: nothing is served empty, writes wait on the clients as
 * pending, and everything goes through once Postgres is back. Needs a Postgres server to cut off.
 */
describe.runIf(Boolean(process.env.DATABASE_URL))("when Postgres is unreachable", () => {
  let storage: TestStorage;
  let stack: Awaited<ReturnType<typeof startServerBehindProxy>>;
  let postgres: TcpProxy;
  let server: TestServer;
  const devices: Device[] = [];

  beforeAll(async () => {
    storage = await createStorage();
    stack = await startServerBehindProxy(storage);
    ({ server, postgres } = stack);
  });
  afterAll(async () => {
    for (const d of devices) d.destroy();
    await stack?.close();
    await storage?.dispose();
  });

  it("refuses unloaded documents, keeps writes pending, and delivers them when Postgres returns", {
    timeout: 60_000,
  }, async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const { body } = await api(server, "POST", "/api/rooms", { name: uniqueName("outage ") }, alice.cookie);
    const roomId = body.room.id as string;
    const aliceDevice = new Device(server, alice, undefined, { maxAttempts: 0 });
    devices.push(aliceDevice);
    const a = await aliceDevice.open(segmentDocName(roomId, 0));

    await postgres.cut();
    expect((await api(server, "GET", "/readyz")).body).toMatchObject({
      ready: false,
      postgres: expect.stringMatching(/^unreachable/),
    });
    expect((await api(server, "GET", "/api/session", undefined, alice.cookie)).status).toBe(503);
    expect(
      (await api(server, "POST", "/api/login", { username: alice.username, password: "x" })).body.error,
    ).toMatch(/cannot reach its database/);
    // New sockets cannot be authenticated now (503 at the upgrade); on a socket already open, a
    // document that is not loaded is refused, never served empty.
    const upgrade = await fetch(`${server.url}/sync`, {
      headers: {
        cookie: bob.cookie,
        connection: "Upgrade",
        upgrade: "websocket",
        "sec-websocket-version": "13",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      },
    }).catch((error: Error) => error);
    expect(upgrade instanceof Error || upgrade.status === 503).toBe(true);
    const unopened = roomDocName(dmRoomId(alice.id, bob.id));
    const opening = aliceDevice.open(unopened).then(
      () => "synced",
      (error: Error) => error.message,
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(await Promise.race([opening, "not synced"])).not.toBe("synced");
    expect(server.hocuspocus.documents.has(unopened)).toBe(false);

    appendMessage(a.doc, createMessage(alice.id, "typed during the outage"));
    await new Promise((r) => setTimeout(r, 1_000));
    expect(listMessages(a.doc).find((m) => m.text === "typed during the outage")?.seq).toBeNull();

    await postgres.restore();
    await eventually(
      async () => (await api(server, "GET", "/readyz")).status === 200 || undefined,
      10_000,
      "ready again",
    );
    await eventually(
      () => listMessages(a.doc).find((m) => m.text === "typed during the outage")?.seq,
      15_000,
      "the pending message to be stored and sequenced after Postgres returned",
    );
    const later = new Device(server, bob);
    devices.push(later);
    const b = await later.open(segmentDocName(roomId, 0));
    expect(listMessages(b.doc).map((m) => m.text)).toContain("typed during the outage");
  });

  it("a document that cannot be loaded is refused, not served or stored empty, and loads whole once Postgres is back", {
    timeout: 60_000,
  }, async () => {
    // Hocuspocus #382: a failed load must never leave an empty document that is served, or stored
    // over the real one. A person's own index opens without asking Postgres who may (it is theirs),
    // so this reaches the load itself.
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const { body } = await api(server, "POST", "/api/rooms", { name: uniqueName("index ") }, alice.cookie);
    const roomId = body.room.id as string;
    const bobDevice = new Device(server, bob, undefined, { maxAttempts: 0 });
    devices.push(bobDevice);
    await joinRoom(server, bob, roomId); // the room enters bob's index
    await bobDevice.open(segmentDocName(roomId, 0));
    const index = userDocName(bob.id);
    const storedIndex = async () => {
      const doc = new Y.Doc();
      for (const part of await readDocument(server.db, index)) Y.applyUpdate(doc, part);
      return doc;
    };
    await eventually(async () => getIndexedRoom(await storedIndex(), roomId), 5_000, "bob's index stored");
    await eventually(
      () => !server.hocuspocus.documents.has(index),
      15_000,
      "bob's index to unload (it was written, not opened)",
    );

    await postgres.cut();
    let synced = false;
    const opening = bobDevice.open(index).then(
      (side) => {
        synced = true;
        return side;
      },
      (error: Error) => error,
    );
    await new Promise((r) => setTimeout(r, 1_500));
    expect(synced).toBe(false);
    expect(server.hocuspocus.documents.has(index)).toBe(false);
    expect(server.hocuspocus.loadingDocuments.has(index)).toBe(false);

    await postgres.restore();
    const opened = await opening;
    if (opened instanceof Error) throw opened;
    await eventually(
      () => getIndexedRoom(opened.doc, roomId),
      15_000,
      "bob's index, with the room in it, once Postgres is back",
    );
    // What is stored still holds the room: nothing empty was written over it.
    expect(getIndexedRoom(await storedIndex(), roomId)).toBeDefined();
  });
});
