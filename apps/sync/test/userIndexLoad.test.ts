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
  uniqueName,
} from "./harness.ts";

/**
 * The per-user index in a room of 50 people, each with their index open on their own socket: how long
 * from a message being sent until every member's index counts it (the delivery figure in docs/benchmarks.md is for
 * 50 devices in a room). Measured here: 29–95 ms on this (shared, two-core) machine, Postgres or PGlite,
 * for a first message (the next ones in the same second wait for the index's one write a second).
 * The test prints the times and asserts the work, which does not depend on the machine.
 */
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

/** The server's SQL statements and its own writes to user indexes so far, from /metrics. */
async function counters(): Promise<{ statements: number; indexWrites: number }> {
  const text = await readMetrics(server);
  return {
    statements: metricValue(text, "chat_db_statements_total"),
    indexWrites: metricValue(text, 'chat_server_changes_total{document="user"}'),
  };
}

describe("the user index under a full room", () => {
  it("counts a message in all 50 members' indexes, writing each once and asking the database far less than once a member", async () => {
    const alice = await signUp(server, "alice");
    const { body } = await api(
      server,
      "POST",
      "/api/rooms",
      { name: uniqueName("all hands ") },
      alice.cookie,
    );
    const roomId = body.room.id as string;
    const indexes: Y.Doc[] = [];
    for (let i = 0; i < 50; i++) {
      const member = await signUp(server, "member");
      const device = new Device(server, member);
      devices.push(device);
      await joinRoom(server, member, roomId);
      await device.open(roomDocName(roomId));
      indexes.push((await device.open(userDocName(member.id))).doc);
    }
    const aliceDevice = new Device(server, alice);
    devices.push(aliceDevice);
    const segment = await aliceDevice.open(segmentDocName(roomId, 0));
    // Their joining is written in every index first, so what is counted below is the messages' work.
    await eventually(
      () => indexes.every((doc) => getIndexedRoom(doc, roomId) !== undefined),
      10_000,
      "the room in all 50 indexes",
    );
    const timings: number[] = [];
    const work: Array<{ statements: number; indexWrites: number }> = [];
    for (let round = 1; round <= 3; round++) {
      const before = await counters();
      const sentAt = performance.now();
      appendMessage(segment.doc, createMessage(alice.id, `announcement ${round}`));
      await eventually(
        () => indexes.every((doc) => getIndexedRoom(doc, roomId)?.unread === round),
        10_000,
        `all 50 indexes to count message ${round}`,
      );
      timings.push(performance.now() - sentAt);
      const after = await counters();
      work.push({
        statements: after.statements - before.statements,
        indexWrites: after.indexWrites - before.indexWrites,
      });
    }
    console.info(
      `all 50 members' indexes counted each message after ${timings.map((t) => t.toFixed(0)).join(", ")} ms; work per message ${JSON.stringify(work)}`,
    );
    // How soon is the bench's to say; here, the work: each member's index is written once for the
    // message, and the database is not asked once per member.
    for (const { statements, indexWrites } of work) {
      expect(indexWrites).toBe(50);
      expect(statements).toBeLessThan(50);
    }
  }, 120_000);
});
