import {
  appendMessage,
  createMessage,
  dmRoomId,
  listMessages,
  roomDocName,
  segmentDocName,
} from "@chat/model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  api,
  createStorage,
  Device,
  eventually,
  signUp,
  startTestServer,
  type TestServer,
  type TestStorage,
  uniqueName,
} from "./harness.ts";
import { TcpProxy } from "./tcpProxy.ts";

/**
 * Postgres goes away while people chat: nothing is served empty, writes wait on the clients as
 * pending, and everything goes through once Postgres is back. Needs a Postgres server to cut off.
 */
describe.runIf(Boolean(process.env.DATABASE_URL))("when Postgres is unreachable", () => {
  let storage: TestStorage;
  let postgres: TcpProxy;
  let server: TestServer;
  const devices: Device[] = [];

  beforeAll(async () => {
    storage = await createStorage();
    const url = new URL(storage.env.DATABASE_URL!);
    postgres = new TcpProxy(url.hostname, Number(url.port || 5432));
    url.host = `127.0.0.1:${await postgres.start()}`;
    server = await startTestServer({ ...storage, env: { DATABASE_URL: url.toString() } });
  });
  afterAll(async () => {
    for (const d of devices) d.destroy();
    await postgres?.restore().catch(() => {});
    await server?.close();
    await postgres?.close();
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
    const upgrade = await fetch(server.url.replace("http", "http") + "/sync", {
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
});
