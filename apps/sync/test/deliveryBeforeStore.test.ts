import { appendMessage, createMessage, listMessages, segmentDocName } from "@chat/model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  api,
  createStorage,
  Device,
  eventually,
  joinRoom,
  signUp,
  startServerBehindProxy,
  storedDoc,
  type TestServer,
  type TestStorage,
  uniqueName,
} from "./harness.ts";
import type { TcpProxy } from "./tcpProxy.ts";

/**
 * A message reaches the others while the server writes it to Postgres; only its sender waits for
 * the write, and hears "synced" once it is stored (README.md, "How it works"). Needs a Postgres server
 * behind a proxy the test can slow down and cut.
 */
describe.runIf(Boolean(process.env.DATABASE_URL))("delivery does not wait for the database", () => {
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

  async function roomWithTwo() {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const { body } = await api(server, "POST", "/api/rooms", { name: uniqueName("slow db ") }, alice.cookie);
    await joinRoom(server, bob, body.room.id as string);
    const name = segmentDocName(body.room.id as string, 0);
    const aliceDevice = new Device(server, alice, undefined, { maxAttempts: 0 });
    const bobDevice = new Device(server, bob, undefined, { maxAttempts: 0 });
    devices.push(aliceDevice, bobDevice);
    const a = await aliceDevice.open(name);
    const b = await bobDevice.open(name);
    // One message first, so alice's Yjs client id is registered and the room is warm.
    appendMessage(a.doc, createMessage(alice.id, "hello"));
    await eventually(
      () => listMessages(b.doc).find((m) => m.text === "hello")?.seq,
      5_000,
      "the first message",
    );
    await eventually(() => !a.provider.hasUnsyncedChanges, 5_000, "alice synced");
    return { alice, name, a, b, aliceDevice };
  }

  it("the others get a message while it is written; its sender hears synced once it is stored", {
    timeout: 30_000,
  }, async () => {
    const { alice, name, a, b } = await roomWithTwo();
    postgres.latencyMs = 600; // every statement now takes at least 0.6 s
    try {
      appendMessage(a.doc, createMessage(alice.id, "while the database is slow"));
      await eventually(
        () => listMessages(b.doc).some((m) => m.text === "while the database is slow"),
        5_000,
        "bob to receive the message",
      );
      // Delivered before the append finished: the sender has not yet been told it is synced (which
      // only the stored message earns), so bob had it first, whatever the machine's speed.
      expect(a.provider.hasUnsyncedChanges).toBe(true);
      // Not numbered yet: a number is given only to a stored message.
      expect(listMessages(b.doc).find((m) => m.text === "while the database is slow")?.seq).toBeNull();
      await eventually(() => !a.provider.hasUnsyncedChanges, 10_000, "alice to hear it is synced");
    } finally {
      postgres.latencyMs = 0;
    }
    // Synced means stored: the log holds it now, before any snapshot.
    expect(listMessages(await storedDoc(server, name)).map((m) => m.text)).toContain(
      "while the database is slow",
    );
    await eventually(
      () => listMessages(b.doc).find((m) => m.text === "while the database is slow")?.seq,
      10_000,
      "the message to be numbered",
    );
  });

  it("a message that could not be written is written once Postgres returns, though its sender has gone", {
    timeout: 60_000,
  }, async () => {
    const { alice, name, a, b, aliceDevice } = await roomWithTwo();
    await postgres.cut();
    appendMessage(a.doc, createMessage(alice.id, "sent during the outage"));
    await eventually(
      () => listMessages(b.doc).some((m) => m.text === "sent during the outage"),
      5_000,
      "bob to receive the message",
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(a.provider.hasUnsyncedChanges).toBe(true);
    // Alice closes her laptop: nobody will send this message again, and the server still holds it.
    aliceDevice.destroy();
    await new Promise((r) => setTimeout(r, 1_000));
    await postgres.restore();
    // Read straight from Postgres; a read while the pool reconnects may fail, and is tried again.
    const storedTexts = async () => listMessages(await storedDoc(server, name)).map((m) => m.text);
    await eventually(
      async () =>
        (await storedTexts().catch((): string[] => [])).includes("sent during the outage") || undefined,
      20_000,
      "the message to be stored by the server's own retry",
    );
    await eventually(
      () => listMessages(b.doc).find((m) => m.text === "sent during the outage")?.seq,
      20_000,
      "the message to be numbered once stored",
    );
    expect(server.hocuspocus.documents.has(name)).toBe(true); // stored by the retry, not by an unload
  });
});
