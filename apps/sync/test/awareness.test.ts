import { roomDocName, segmentDocName, userDocName } from "@chat/model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { DEFAULT_LIMITS } from "../src/limits/policy.ts";
import {
  api,
  closeReason,
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

/** The value of `chat_refusals_total{reason}` in /metrics. */
async function refusals(reason: string): Promise<number> {
  return metricValue(await readMetrics(server), `chat_refusals_total{reason="${reason}"}`);
}

describe("presence (awareness) is checked before anyone sees it", () => {
  it("only as oneself, small and plain; honest presence reaches the others", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const mallory = await signUp(server, "mallory");
    const room = await api(server, "POST", "/api/rooms", { name: uniqueName("room ") }, alice.cookie);
    const name = segmentDocName(room.body.room.id, 0);
    await joinRoom(server, bob, room.body.room.id);
    await joinRoom(server, mallory, room.body.room.id);

    const a = await device(alice).open(name);
    a.provider.setAwarenessField("status", { text: "here", typing: true });
    const b = await device(bob).open(name);
    // The server stamps `user` with the connection's own account, whatever the client claims.
    await eventually(
      () => {
        const state = b.provider.awareness?.getStates().get(a.doc.clientID);
        return state?.user?.username === alice.username && state?.status?.text === "here";
      },
      5_000,
      "bob sees alice's presence",
    );

    // Mallory announces presence under alice's live client id: left out (counted), bob never sees it,
    // and her document stays open (an honest device drawing a held id must not be cut off).
    const forged = new Y.Doc();
    forged.clientID = a.doc.clientID;
    const m = await device(mallory).open(name, forged);
    const closes: string[] = [];
    m.provider.on("close", ({ event }: { event: { reason: string } }) => closes.push(event.reason));
    const leftOut = await refusals("presence-foreign-client");
    for (let n = 0; n < 5; n++) m.provider.setAwarenessField("status", { text: `forged ${n}`, typing: true });
    await eventually(
      async () => (await refusals("presence-foreign-client")) >= leftOut + 5,
      5_000,
      "the forged states to be left out",
    );
    expect(b.provider.awareness?.getStates().get(a.doc.clientID)?.status?.text).toBe("here");
    expect(b.provider.awareness?.getStates().get(a.doc.clientID)?.user?.id).toBe(alice.id);
    expect(closes).toEqual([]);
    // Mallory's own device is seen as herself.
    const own = await device(mallory).open(name);
    own.provider.setAwarenessField("status", { text: "mallory here" });
    await eventually(
      () => b.provider.awareness?.getStates().get(own.doc.clientID)?.user?.id === mallory.id,
      5_000,
      "bob sees mallory as herself",
    );

    // Under an id of the server's own (model clientIds.ts): left out, nobody sees it.
    const underServerId = new Y.Doc();
    underServerId.clientID = 2 ** 32 + 5;
    const s = await device(mallory).open(name, underServerId);
    const serverIdsLeftOut = await refusals("presence-server-client");
    s.provider.setAwarenessField("status", { text: "as the server" });
    await eventually(
      async () => (await refusals("presence-server-client")) > serverIdsLeftOut,
      5_000,
      "presence under the server's id left out",
    );
    expect(b.provider.awareness?.getStates().has(underServerId.clientID)).toBe(false);

    // What no provider sends closes the document, with its own prefix (the document's changes are fine).
    const big = await device(mallory).open(name);
    const tooLarge = closeReason(big.provider);
    big.provider.setAwarenessField("status", { text: "x".repeat(20_000) });
    expect(await tooLarge).toBe("forbidden-presence: presence too large");
    expect(await refusals("presence-too-large")).toBe(1);
  });

  it("a flood of presence from one connection is left out past its allowance, not relayed; the connection stays", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const room = await api(server, "POST", "/api/rooms", { name: uniqueName("room ") }, alice.cookie);
    const roomId: string = room.body.room.id;
    const name = segmentDocName(roomId, 0);
    await joinRoom(server, bob, roomId);
    const b = await device(bob).open(name);
    let relayed = 0;
    b.provider.awareness!.on("update", ({ added, updated }: { added: number[]; updated: number[] }) => {
      relayed += added.length + updated.length;
    });
    const a = await device(alice).open(name);
    const closes: string[] = [];
    a.provider.on("close", ({ event }: { event: { reason: string } }) => closes.push(event.reason));
    const before = await refusals("presence-rate-limited");
    const started = Date.now();
    const flood = 300;
    for (let n = 0; n < flood; n++) a.provider.setAwarenessField("n", n);
    const { updatesPerSecond, burst } = DEFAULT_LIMITS.presence;
    // However slow the machine, most of the flood is over the allowance.
    await eventually(
      async () => {
        const allowed = burst + updatesPerSecond * ((Date.now() - started) / 1000 + 1);
        return (await refusals("presence-rate-limited")) - before >= flood - allowed;
      },
      10_000,
      "the flood to be left out",
    );
    const allowed = burst + updatesPerSecond * ((Date.now() - started) / 1000 + 1);
    expect(relayed).toBeLessThanOrEqual(allowed);
    expect(closes).toEqual([]);
    // Once the allowance refills, alice's presence flows again.
    await new Promise((r) => setTimeout(r, 1_000));
    a.provider.setAwarenessField("status", "back");
    await eventually(
      () => b.provider.awareness?.getStates().get(a.doc.clientID)?.status === "back",
      5_000,
      "bob sees alice's presence again",
    );
  });

  it("is relayed only where the app shows it (the directory, a room's segments), not on room or index documents", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const room = await api(server, "POST", "/api/rooms", { name: uniqueName("room ") }, alice.cookie);
    const roomId = room.body.room.id as string;
    await joinRoom(server, bob, roomId);
    // Two of alice's devices on her own index, alice and bob on the room document and its segment.
    const index1 = await device(alice).open(userDocName(alice.id));
    const index2 = await device(alice).open(userDocName(alice.id));
    const roomA = await device(alice).open(roomDocName(roomId));
    const roomB = await device(bob).open(roomDocName(roomId));
    const segmentA = await device(alice).open(segmentDocName(roomId, 0));
    const segmentB = await device(bob).open(segmentDocName(roomId, 0));
    for (const d of [index1, roomA, segmentA]) d.provider.setAwarenessField("status", { text: "here" });
    // The segment's presence arrives; by then the others would have too, and none did.
    await eventually(
      () => segmentB.provider.awareness?.getStates().get(segmentA.doc.clientID)?.status?.text === "here",
      5_000,
      "bob sees alice's presence in the segment",
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(index2.provider.awareness?.getStates().has(index1.doc.clientID)).toBe(false);
    expect(roomB.provider.awareness?.getStates().has(roomA.doc.clientID)).toBe(false);
  });
});
