import "fake-indexeddb/auto";
import {
  appendMessage,
  createMessage,
  listMembers,
  listMessages,
  roomDocName,
  segmentDocName,
} from "@chat/model";
import type { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { attachLocalStore } from "../device/localStore";
import { FIRST_RETRY_MS } from "./backoff";
import { createDocRegistry, type DocHandle } from "./docs";

/**
 * The document registry against the real sync server, from the server's own test harness. It is
 * loaded at run time, so the web app's type check (DOM, no Node) does not walk into the server.
 */
interface TestUser {
  id: string;
  username: string;
  cookie: string;
}
interface ServerDocument {
  getConnections(): Array<{
    context: { user: { id: string } };
    close(event: { code: number; reason: string }): void;
  }>;
}
interface TestServer {
  url: string;
  hocuspocus: { documents: Map<string, ServerDocument> };
  close(): Promise<void>;
}
interface Harness {
  createStorage(): Promise<{ dispose(): Promise<void> }>;
  startTestServer(storage: unknown): Promise<TestServer>;
  signUp(server: TestServer, prefix: string): Promise<TestUser>;
  api(
    server: TestServer,
    method: string,
    path: string,
    body: unknown,
    cookie: string,
  ): Promise<{ status: number; body: { room: { id: string } } }>;
  Device: new (
    server: TestServer,
    user: TestUser,
  ) => {
    socket: HocuspocusProviderWebsocket;
    open(name: string): Promise<{ doc: Y.Doc; provider: HocuspocusProvider }>;
    destroy(): void;
  };
  eventually<T>(check: () => T | undefined | false, timeoutMs: number, what: string): Promise<T>;
  joinRoom(server: TestServer, user: TestUser, roomId: string): Promise<void>;
}
const harnessPath = "../../../sync/test/harness.ts";

let h: Harness;
let storage: { dispose(): Promise<void> };
let server: TestServer;
const cleanup: Array<() => void> = [];
beforeAll(async () => {
  h = (await import(/* @vite-ignore */ harnessPath)) as Harness;
  storage = await h.createStorage();
  server = await h.startTestServer(storage);
});
afterAll(async () => {
  for (const step of cleanup.splice(0).reverse()) step();
  await server?.close();
  await storage?.dispose();
});

/** Alice's public room; bob is in it too unless `joined` is false (then he can only preview it). */
async function roomOfTwo({ joined = true } = {}) {
  const alice = await h.signUp(server, "alice");
  const bob = await h.signUp(server, "bob");
  const created = await h.api(server, "POST", "/api/rooms", { name: `room ${Date.now()}` }, alice.cookie);
  const roomId: string = created.body.room.id;
  if (joined) await h.joinRoom(server, bob, roomId);
  const aliceDevice = new h.Device(server, alice);
  const bobDevice = new h.Device(server, bob);
  cleanup.push(
    () => aliceDevice.destroy(),
    () => bobDevice.destroy(),
  );
  return { alice, bob, roomId, aliceDevice, bobDevice };
}

/** Closes `userId`'s connection to one document on the server, as a refusal does (the socket stays). */
function closeOnServer(name: string, userId: string, reason: string): void {
  const connections = server.hocuspocus.documents.get(name)?.getConnections() ?? [];
  const connection = connections.find((c) => c.context.user.id === userId);
  if (!connection) throw new Error(`${userId} has no connection to ${name}`);
  connection.close({ code: 4403, reason });
}

describe("documents the server closes (the socket stays)", () => {
  it("says why while it reopens, then receives again", async () => {
    const { alice, bob, roomId, aliceDevice, bobDevice } = await roomOfTwo();
    const registry = createDocRegistry({ socket: bobDevice.socket, scope: `${bob.id}-${Date.now()}` });
    cleanup.push(() => registry.closeAll());
    const room: DocHandle = registry.open(roomDocName(roomId)); // joins the public room
    await h.eventually(() => room.synced(), 10_000, "bob's room to sync");
    const name = segmentDocName(roomId, 0);
    const segment = registry.open(name);
    await h.eventually(() => segment.synced(), 10_000, "bob's segment to sync");
    const alices = await aliceDevice.open(name);

    const reason = "forbidden-presence: presence under another account's client id";
    closeOnServer(name, bob.id, reason);
    await h.eventually(() => segment.interruption() === reason, 5_000, "bob's segment to say why it closed");
    // Written while bob's copy is closed, and after: both arrive once it is open again.
    appendMessage(alices.doc, createMessage(alice.id, "while you were away"));
    await h.eventually(
      () => segment.synced() && segment.interruption() === null,
      10_000,
      "bob's segment to reopen",
    );
    appendMessage(alices.doc, createMessage(alice.id, "and after"));
    await h.eventually(
      () => listMessages(segment.doc).filter((m) => m.seq !== null).length === 2,
      10_000,
      "bob to receive both messages",
    );
    expect(listMessages(segment.doc).map((m) => m.text)).toEqual(["while you were away", "and after"]);
  });

  it("keeps reopening while the server keeps closing it, and keeps what was written on the device", async () => {
    const { bob, roomId, bobDevice, aliceDevice } = await roomOfTwo();
    const registry = createDocRegistry({ socket: bobDevice.socket, scope: `${bob.id}-${Date.now()}` });
    cleanup.push(() => registry.closeAll());
    const room = registry.open(roomDocName(roomId));
    await h.eventually(() => room.synced(), 10_000, "bob's room to sync");
    const name = segmentDocName(roomId, 0);
    const segment = registry.open(name);
    await h.eventually(() => segment.synced(), 10_000, "bob's segment to sync");
    for (let round = 0; round < 2; round++) {
      closeOnServer(name, bob.id, "Reset Connection");
      await h.eventually(() => segment.interruption() !== null, 5_000, "the close to be noticed");
      await h.eventually(() => segment.synced() && segment.interruption() === null, 10_000, "the reopen");
    }
    // Bob's message, written after the closes, is delivered and sequenced.
    appendMessage(segment.doc, createMessage(bob.id, "still here"));
    const alices = await aliceDevice.open(name);
    await h.eventually(
      () => listMessages(alices.doc).find((m) => m.text === "still here" && m.seq !== null),
      10_000,
      "alice to receive bob's message",
    );
  });

  it("after a refused write, a fresh copy from the server replaces the device's, and it receives", async () => {
    const { alice, bob, roomId, aliceDevice, bobDevice } = await roomOfTwo();
    const refused: string[] = [];
    const registry = createDocRegistry({
      socket: bobDevice.socket,
      scope: `${bob.id}-${Date.now()}`,
      onWriteRefused: (_name, explanation) => refused.push(explanation),
    });
    cleanup.push(() => registry.closeAll());
    const room = registry.open(roomDocName(roomId));
    await h.eventually(() => room.synced(), 10_000, "bob's room to sync");
    const name = segmentDocName(roomId, 0);
    const segment = registry.open(name);
    await h.eventually(() => segment.synced(), 10_000, "bob's segment to sync");
    expect(registry.renewals(name)).toBe(0);

    appendMessage(segment.doc, createMessage(alice.id, "in alice's name"));
    await h.eventually(() => registry.renewals(name) === 1, 10_000, "the segment to be renewed");
    expect(refused).toHaveLength(1);
    const fresh = registry.open(name);
    expect(fresh.doc).not.toBe(segment.doc);
    await h.eventually(() => fresh.synced(), 10_000, "the fresh copy to sync");
    const alices = await aliceDevice.open(name);
    appendMessage(alices.doc, createMessage(alice.id, "really alice"));
    await h.eventually(
      () => listMessages(fresh.doc).find((m) => m.text === "really alice" && m.seq !== null),
      10_000,
      "the fresh copy to receive",
    );
    expect(listMessages(fresh.doc).map((m) => m.text)).toEqual(["really alice"]);
    segment.release();
    fresh.release();
  });
});

describe("a public room previewed, then joined", () => {
  it("reopens at once when the person joins (membership-began), now writable, with nothing to tell", async () => {
    const { bob, roomId, aliceDevice, bobDevice } = await roomOfTwo({ joined: false });
    const refused: string[] = [];
    const registry = createDocRegistry({
      socket: bobDevice.socket,
      scope: `${bob.id}-${Date.now()}`,
      onWriteRefused: (name) => refused.push(name),
    });
    cleanup.push(() => registry.closeAll());
    const room = registry.open(roomDocName(roomId));
    const name = segmentDocName(roomId, 0);
    const segment = registry.open(name);
    await h.eventually(() => room.synced() && segment.synced(), 10_000, "bob's preview to sync");
    expect(listMembers(room.doc).map((m) => m.userId)).not.toContain(bob.id);

    await h.joinRoom(server, bob, roomId);
    await h.eventually(
      () => listMembers(room.doc).some((m) => m.userId === bob.id),
      10_000,
      "bob in the member list of his own copy",
    );
    await h.eventually(() => room.synced() && segment.synced(), 10_000, "both reopened");
    // Reopened without a back-off (documentCloses.test.ts: Reopener.now) and without a notice.
    expect(segment.interruption()).toBeNull();
    expect(segment.ended()).toBeNull();

    appendMessage(segment.doc, createMessage(bob.id, "joined and writing"));
    const alices = await aliceDevice.open(name);
    await h.eventually(
      () => listMessages(alices.doc).find((m) => m.text === "joined and writing" && m.seq !== null),
      10_000,
      "alice to receive bob's message, numbered",
    );
    expect(refused).toEqual([]);
    segment.release();
    room.release();
  });
});

describe("a membership that ended (left or removed)", () => {
  it("stops syncing the room for good, drops the device copy, and never joins the public room again", async () => {
    const { bob, roomId, aliceDevice, bobDevice } = await roomOfTwo();
    const scope = `${bob.id}-${Date.now()}`;
    const endedNames: string[] = [];
    const registry = createDocRegistry({
      socket: bobDevice.socket,
      scope,
      onMembershipEnded: (name) => endedNames.push(name),
    });
    cleanup.push(() => registry.closeAll());
    const room = registry.open(roomDocName(roomId));
    await h.eventually(() => room.synced(), 10_000, "bob's room to sync");
    const name = segmentDocName(roomId, 0);
    const segment = registry.open(name);
    await h.eventually(() => segment.synced(), 10_000, "bob's segment to sync");
    await segment.flushed();

    const left = await h.api(server, "POST", `/api/rooms/${roomId}/leave`, {}, bob.cookie);
    expect(left.status).toBe(200);
    await h.eventually(
      () => room.ended() !== null && segment.ended() !== null,
      5_000,
      "both of bob's documents to end",
    );
    expect(segment.ended()).toBe("you left this room");
    expect(endedNames.sort()).toEqual([roomDocName(roomId), name].sort());
    expect(room.interruption()).toBeNull();

    // Alice sees the line; bob's closed copies receive nothing more, and nothing reopens them: past
    // the first reopen wait a reopened public room would be open again, as a preview.
    const alices = await aliceDevice.open(roomDocName(roomId));
    const alicesSegment = await aliceDevice.open(name);
    await h.eventually(
      () => listMessages(alicesSegment.doc).find((m) => m.text === `${bob.username} left` && m.seq !== null),
      10_000,
      "alice to see that bob left",
    );
    await new Promise((resolve) => setTimeout(resolve, FIRST_RETRY_MS * 2));
    expect(listMembers(alices.doc).map((m) => m.userId)).not.toContain(bob.id);
    expect(
      server.hocuspocus.documents
        .get(name)
        ?.getConnections()
        .some((c) => c.context.user.id === bob.id),
    ).toBe(false);
    expect(segment.synced()).toBe(false);
    expect(listMessages(segment.doc).some((m) => m.text === `${bob.username} left`)).toBe(false);

    // The device no longer keeps the room.
    const stored = new Y.Doc();
    const store = attachLocalStore(scope, name, stored);
    await store.loaded;
    expect(stored.store.clients.size).toBe(0);
    store.destroy();

    // Let go, the ended copy closes at once: opening again is a fresh copy, not the ended one.
    segment.release();
    const again = registry.open(name);
    expect(again.doc).not.toBe(segment.doc);
    expect(again.ended()).toBeNull();
    again.release();
    room.release();
  });
});
