import {
  appendMessage,
  createMessage,
  listMessages,
  listSegments,
  type MessageRecord,
  roomDocName,
  SEGMENT_CAPACITY,
  segmentDocName,
} from "@chat/model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { LOAD_TEST_LIMITS } from "../src/limits/policy.ts";
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

let storage: TestStorage;
let server: TestServer;
const devices: Device[] = [];

beforeAll(async () => {
  storage = await createStorage();
  // One account writes a whole segment here (a load no person makes): lift the message rate limit.
  server = await startTestServer(storage, 0, {}, { limits: LOAD_TEST_LIMITS });
});

afterAll(async () => {
  for (const d of devices) d.destroy();
  await server?.close();
  await storage?.dispose();
});

describe("history segments", () => {
  it("seals a full segment, starts the next, numbers on across both, and keeps a late message for the sealed one", async () => {
    const alice = await signUp(server, "alice");
    const created = await api(server, "POST", "/api/rooms", { name: uniqueName("Long ") }, alice.cookie);
    const roomId = created.body.room.id as string;
    const device = new Device(server, alice);
    devices.push(device);
    const room = await device.open(roomDocName(roomId));
    expect(listSegments(room.doc)).toEqual([0]);

    // A device that went offline before the seal holds its own copy of segment 0.
    const laggard = new Y.Doc();
    const first = await device.open(segmentDocName(roomId, 0));
    const batch: MessageRecord[] = Array.from({ length: SEGMENT_CAPACITY }, (_, i) =>
      createMessage(alice.id, `message ${i + 1}`, i, `m${String(i).padStart(12, "0")}`),
    );
    first.doc.transact(() => {
      const list = first.doc.getArray<MessageRecord>("messages");
      list.insert(list.length, batch);
    });
    await eventually(() => listSegments(room.doc).length === 2, 20_000, "segment 1 to be listed");
    expect(listSegments(room.doc)).toEqual([0, 1]);
    await eventually(() => listMessages(first.doc).at(-1)?.seq === SEGMENT_CAPACITY, 10_000, "numbers");

    // The late message, written into the sealed segment offline, arrives after the seal.
    Y.applyUpdate(laggard, Y.encodeStateAsUpdate(first.doc));
    appendMessage(
      laggard,
      createMessage(alice.id, "written offline before the seal", 1e12, "late000000000001"),
    );
    Y.applyUpdate(first.doc, Y.encodeStateAsUpdate(laggard, Y.encodeStateVector(first.doc)));
    const second = await device.open(segmentDocName(roomId, 1));
    appendMessage(second.doc, createMessage(alice.id, "first of segment 1", 1e12 + 1, "next000000000001"));

    const late = await eventually(
      () => listMessages(first.doc).find((m) => m.id === "late000000000001" && m.seq !== null),
      10_000,
      "the late message to be numbered",
    );
    const next = await eventually(
      () => listMessages(second.doc).find((m) => m.seq !== null),
      10_000,
      "the first message of segment 1 to be numbered",
    );
    expect(new Set([late.seq, next.seq])).toEqual(new Set([SEGMENT_CAPACITY + 1, SEGMENT_CAPACITY + 2]));
    // Sealing happens once: the late message does not open a third segment.
    await new Promise((r) => setTimeout(r, 300));
    expect(listSegments(room.doc)).toEqual([0, 1]);
  });
});
