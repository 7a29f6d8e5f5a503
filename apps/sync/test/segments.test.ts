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
import { DEFAULT_LIMITS, LOAD_TEST_LIMITS } from "../src/limits/policy.ts";
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

  it("a full segment takes at most its slack more, however many send into it at once; the next segment takes the rest", async () => {
    const slack = LOAD_TEST_LIMITS.documents.segmentSlack;
    expect(slack).toBe(DEFAULT_LIMITS.documents.segmentSlack);
    const ceiling = SEGMENT_CAPACITY + slack;
    const alice = await signUp(server, "alice");
    const created = await api(server, "POST", "/api/rooms", { name: uniqueName("Full ") }, alice.cookie);
    const roomId = created.body.room.id as string;
    const name = segmentDocName(roomId, 0);
    const owner = new Device(server, alice);
    devices.push(owner);
    const room = await owner.open(roomDocName(roomId));
    const full = await owner.open(name);
    full.doc.transact(() => {
      const list = full.doc.getArray<MessageRecord>("messages");
      list.insert(list.length, batchOf(alice.id, SEGMENT_CAPACITY, "fill"));
    });
    await eventually(() => listSegments(room.doc).length === 2, 20_000, "segment 1 to be listed");

    // Two devices that still take segment 0 for the newest send more than the slack between them,
    // at the same moment: one gets in, the other is refused for good.
    const senders = [new Device(server, alice), new Device(server, alice)];
    devices.push(...senders);
    const late = await Promise.all(senders.map((d) => d.open(name)));
    const share = Math.ceil(slack * 0.6);
    const refusals = late.map(({ provider }) => closeReason(provider));
    for (const [i, { doc }] of late.entries())
      doc.transact(() => {
        const list = doc.getArray<MessageRecord>("messages");
        list.insert(list.length, batchOf(alice.id, share, `late ${i}`));
      });
    const results = await Promise.all(
      late.map(({ provider }, i) =>
        Promise.race([
          refusals[i]!,
          eventually(() => !provider.hasUnsyncedChanges && "accepted", 20_000, `sender ${i}`),
        ]),
      ),
    );
    expect(results.sort()).toEqual([
      "accepted",
      `forbidden-write: this history segment is full (at most ${ceiling} messages): write in the newest one`,
    ]);
    await eventually(
      async () => listMessages(await storedDoc(server, name)).length === SEGMENT_CAPACITY + share,
      10_000,
      "the accepted share stored",
    );

    // Up to the ceiling, and no further; the next segment takes messages as ever.
    const room0 = ceiling - SEGMENT_CAPACITY - share;
    const sendAtOnce = async (count: number, label: string) => {
      const sender = new Device(server, alice);
      devices.push(sender);
      const { doc, provider } = await sender.open(name);
      const refused = closeReason(provider);
      doc.transact(() => {
        const list = doc.getArray<MessageRecord>("messages");
        list.insert(list.length, batchOf(alice.id, count, label));
      });
      return Promise.race([
        refused,
        eventually(() => !provider.hasUnsyncedChanges && "accepted", 20_000, label),
      ]);
    };
    expect(await sendAtOnce(room0 + 1, "one past the ceiling")).toMatch(/this history segment is full/);
    expect(await sendAtOnce(room0, "up to the ceiling")).toBe("accepted");
    expect(listMessages(await storedDoc(server, name))).toHaveLength(ceiling);
    const next = await owner.open(segmentDocName(roomId, 1));
    appendMessage(next.doc, createMessage(alice.id, "in the newest segment"));
    await eventually(() => listMessages(next.doc)[0]?.seq !== null, 10_000, "numbered in segment 1");
  });
});

function batchOf(author: string, count: number, label: string): MessageRecord[] {
  return Array.from({ length: count }, (_, i) => createMessage(author, `${label} ${i}`));
}
