import { appendMessage, createMessage, listMessages, segmentDocName } from "@chat/model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { openDatabase } from "../src/db/open.ts";
import { api, createStorage, Device, eventually, signUp, type TestStorage, uniqueName } from "./harness.ts";
import { freePort, killServerProcesses, ServerProcess } from "./serverProcess.ts";
import { TcpProxy } from "./tcpProxy.ts";

/**
 * "A message that any device shows as sent must survive kill -9 of the sync server at any moment,
 * even if that device never comes back" (README.md, "How it works"). Runs the real server as a child
 * process, so SIGKILL is a real kill.
 */
let storage: TestStorage;
const startChild = (port: number, env: Record<string, string> = {}) =>
  ServerProcess.start(storage, port, env);

beforeAll(async () => {
  storage = await createStorage();
});
afterAll(async () => {
  await killServerProcesses();
  await storage?.dispose();
});

describe("durability", () => {
  it("a message acknowledged by the server survives kill -9, read by someone else after restart", async () => {
    const port = await freePort();
    let server = await startChild(port);
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const { body } = await api(server, "POST", "/api/rooms", { name: uniqueName("durable ") }, alice.cookie);
    const name = segmentDocName(body.room.id, 0);

    const aliceDevice = new Device(server, alice);
    const { doc, provider } = await aliceDevice.open(name);
    appendMessage(doc, createMessage(alice.id, "written just before the crash"));
    await eventually(() => provider.unsyncedChanges === 0, 5_000, "the server to acknowledge the message");
    await server.stop("SIGKILL");
    aliceDevice.destroy(); // alice never comes back

    server = await startChild(port);
    const bobDevice = new Device(server, bob);
    const bobSide = await bobDevice.open(name);
    const message = await eventually(
      () =>
        listMessages(bobSide.doc).find((m) => m.text === "written just before the crash" && m.seq !== null),
      5_000,
      "bob to read the message, sequenced",
    );
    expect(message.author).toBe(alice.id);
    bobDevice.destroy();
    await server.stop("SIGKILL");
  });

  it("a message shown as sequenced keeps its number through kill -9: the stamp was stored before it was sent", {
    timeout: 60_000,
  }, async () => {
    // With Postgres, the server reaches it through a proxy that makes every reply slow (150 ms), so a
    // stamp sent before it is stored would reach alice well before its row commits, and die with the
    // process. (PGlite lives in the server process: there the test runs without the slow database.)
    let postgres: TcpProxy | null = null;
    const env: Record<string, string> = {};
    if (storage.env.DATABASE_URL) {
      const url = new URL(storage.env.DATABASE_URL);
      postgres = new TcpProxy(url.hostname, Number(url.port || 5432));
      url.host = `127.0.0.1:${await postgres.start()}`;
      env.DATABASE_URL = url.toString();
    }
    try {
      const port = await freePort();
      let server = await startChild(port, env);
      const alice = await signUp(server, "alice");
      const bob = await signUp(server, "bob");
      const { body } = await api(
        server,
        "POST",
        "/api/rooms",
        { name: uniqueName("stamped ") },
        alice.cookie,
      );
      const name = segmentDocName(body.room.id, 0);
      const aliceDevice = new Device(server, alice);
      const { doc } = await aliceDevice.open(name);
      if (postgres) postgres.latencyMs = 150;

      appendMessage(doc, createMessage(alice.id, "sequenced just before the crash"));
      const seen = await eventually(
        () => listMessages(doc).find((m) => m.text === "sequenced just before the crash")?.seq ?? undefined,
        10_000,
        "alice to see her message sequenced",
      );
      await server.stop("SIGKILL");
      aliceDevice.destroy();
      if (postgres) postgres.latencyMs = 0;

      server = await startChild(port, env);
      const bobDevice = new Device(server, bob);
      const bobSide = await bobDevice.open(name);
      const message = await eventually(
        () => listMessages(bobSide.doc).find((m) => m.text === "sequenced just before the crash"),
        5_000,
        "bob to read the message",
      );
      // Not numbered again after the restart (that would be a new number: the counter had moved on).
      expect(message.seq).toBe(seen);
      bobDevice.destroy();
      await server.stop("SIGKILL");
    } finally {
      await postgres?.close();
    }
  });

  it("SIGTERM stops cleanly: open documents are folded into snapshots and the process exits 0", async () => {
    const port = await freePort();
    const server = await startChild(port);
    const alice = await signUp(server, "alice");
    const { body } = await api(server, "POST", "/api/rooms", { name: uniqueName("graceful ") }, alice.cookie);
    const name = segmentDocName(body.room.id, 0);
    const aliceDevice = new Device(server, alice);
    const { doc, provider } = await aliceDevice.open(name);
    appendMessage(doc, createMessage(alice.id, "stored before shutdown"));
    await eventually(() => provider.unsyncedChanges === 0, 5_000, "acknowledgement");
    // Exit code 0 is the server's own exit after folding (a hang fails on the test's timeout).
    const code = await server.stop("SIGTERM");
    aliceDevice.destroy();
    expect(code).toBe(0);

    const db = await openDatabase(loadConfig({ ...storage.env, WEB_DIST: "" }));
    try {
      const [snapshot] = await db.query<{ n: number }>(
        "select count(*)::int as n from documents where name = $1",
        [name],
      );
      const [log] = await db.query<{ n: number }>(
        "select count(*)::int as n from document_updates where name = $1",
        [name],
      );
      expect(snapshot?.n).toBe(1);
      expect(log?.n).toBe(0);
    } finally {
      await db.close();
    }
  });
});
