import {
  appendMessage,
  createMessage,
  listMessages,
  readRoomMeta,
  roomDocName,
  segmentDocName,
  userDocName,
} from "@chat/model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KEEP_OPEN_AFTER_WRITE_MS } from "../src/docs/writer.ts";
import { COMPACT_AFTER_ROWS } from "../src/extensions/persistence.ts";
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

/**
 * "Idle rooms unload" (docs/benchmarks.md). A document loses its last connection and
 * Hocuspocus stores it and drops it from memory (unloadImmediately): at once when the last client
 * leaves, and for one only the server writes to (user indexes, room lists) once
 * KEEP_OPEN_AFTER_WRITE_MS (3 s) pass without another write: it stays loaded between writes.
 */
describe("idle documents", () => {
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

  it("are unloaded once nobody has them open, and open again with everything in them", {
    timeout: 30_000,
  }, async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const name = uniqueName("idle ");
    const { body } = await api(server, "POST", "/api/rooms", { name }, alice.cookie);
    const roomId = body.room.id as string;
    const segment = segmentDocName(roomId, 0);
    const aliceDevice = new Device(server, alice);
    devices.push(aliceDevice);
    const { doc } = await aliceDevice.open(segment);
    appendMessage(doc, createMessage(alice.id, "first"));
    appendMessage(doc, createMessage(alice.id, "second"));
    const written = await eventually(
      () => {
        const messages = listMessages(doc);
        return messages.length === 2 && messages.every((m) => m.seq !== null) && messages;
      },
      5_000,
      "both messages sequenced",
    );
    const loaded = server.hocuspocus.documents.get(segment)!;
    expect(loaded).toBeDefined();

    aliceDevice.destroy();
    const { debounce, maxDebounce } = server.hocuspocus.configuration;
    await eventually(() => !server.hocuspocus.documents.has(segment), debounce, "the segment to unload");
    expect(loaded.isDestroyed).toBe(true);
    // Documents only the server wrote to go after their debounced store; then nothing is in memory.
    await eventually(
      () => server.hocuspocus.getDocumentsCount() === 0,
      maxDebounce + 2_000,
      "every document to unload",
    );

    // Unloading folded the segment's log into its snapshot.
    const [log] = await server.db.query<{ n: number }>(
      "select count(*)::int as n from document_updates where name = $1",
      [segment],
    );
    expect(log?.n).toBe(0);

    const bobDevice = new Device(server, bob);
    devices.push(bobDevice);
    const reopened = await bobDevice.open(segment);
    expect(listMessages(reopened.doc).map((m) => [m.text, m.seq, m.author])).toEqual(
      written.map((m) => [m.text, m.seq, m.author]),
    );
    const room = await bobDevice.open(roomDocName(roomId));
    expect(readRoomMeta(room.doc)?.name).toBe(name);
  });

  it("one only the server writes to stays loaded while the writes go on, and unloads once they stop", {
    timeout: 30_000,
  }, async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob"); // never online: only the server writes his index (mentions)
    const { body } = await api(server, "POST", "/api/rooms", { name: uniqueName("busy ") }, alice.cookie);
    const roomId = body.room.id as string;
    const added = await api(
      server,
      "POST",
      `/api/rooms/${roomId}/members`,
      { username: bob.username },
      alice.cookie,
    );
    expect(added.status).toBe(201);
    const aliceDevice = new Device(server, alice);
    devices.push(aliceDevice);
    const { doc } = await aliceDevice.open(segmentDocName(roomId, 0));
    const bobIndex = userDocName(bob.id);
    let first: unknown;
    // A message mentioning him every second for longer than the debounced store's longest wait
    // (maxDebounce): his mention list is written each time (his unread counts are not: nobody has
    // his index open, see userIndex/audience.ts), and it is never unloaded and loaded again between.
    const rounds = Math.ceil(server.hocuspocus.configuration.maxDebounce / 1_000) + 2;
    for (let i = 1; i <= rounds; i++) {
      appendMessage(doc, createMessage(alice.id, `@${bob.username} update ${i}`));
      await eventually(
        () => listMessages(doc).find((m) => m.text.endsWith(`update ${i}`))?.seq,
        5_000,
        `message ${i} sequenced`,
      );
      const loaded = await eventually(() => server.hocuspocus.documents.get(bobIndex), 5_000, "bob's index");
      first ??= loaded;
      expect(loaded).toBe(first);
      await new Promise((r) => setTimeout(r, 1_000));
    }
    const stopped = Date.now();
    await eventually(() => !server.hocuspocus.documents.has(bobIndex), 10_000, "bob's index to unload");
    expect(Date.now() - stopped).toBeGreaterThanOrEqual(KEEP_OPEN_AFTER_WRITE_MS - 1_100);
    aliceDevice.destroy();
  });

  it("stay as snapshot plus log while open, folded once the log has grown", { timeout: 30_000 }, async () => {
    const alice = await signUp(server, "alice");
    const { body } = await api(server, "POST", "/api/rooms", { name: uniqueName("busy ") }, alice.cookie);
    const segment = segmentDocName(body.room.id as string, 0);
    const device = new Device(server, alice);
    devices.push(device);
    const { doc } = await device.open(segment);
    const logRows = async () =>
      (
        await server.db.query<{ n: number }>(
          "select count(*)::int as n from document_updates where name = $1",
          [segment],
        )
      )[0]!.n;
    const sequenced = (count: number) =>
      eventually(
        () => listMessages(doc).filter((m) => m.seq !== null).length === count,
        10_000,
        `${count} messages sequenced`,
      );

    for (let i = 0; i < 3; i++) appendMessage(doc, createMessage(alice.id, `chat ${i}`));
    await sequenced(3);
    // Past the debounced store: the log is durable already, so a short one is left as it is.
    await new Promise((r) => setTimeout(r, server.hocuspocus.configuration.debounce + 1_000));
    const short = await logRows();
    expect(short).toBeGreaterThanOrEqual(3);
    expect(short).toBeLessThan(COMPACT_AFTER_ROWS);

    // Enough messages (each one a row of its own; their stamps come in batches under load) and the
    // next store folds them.
    const more = COMPACT_AFTER_ROWS + 5;
    for (let i = 0; i < more; i++) appendMessage(doc, createMessage(alice.id, `more ${i}`));
    await sequenced(3 + more);
    const { maxDebounce } = server.hocuspocus.configuration;
    await eventually(async () => (await logRows()) < short, maxDebounce + 3_000, "the log folded");
  });
});
