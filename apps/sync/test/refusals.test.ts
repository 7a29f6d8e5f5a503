import {
  appendMessage,
  createMessage,
  listMessages,
  MAX_MESSAGE_LENGTH,
  markReadUpTo,
  ROOTS,
  roomDocName,
  SCHEMA_VERSION,
  segmentDocName,
  userDocName,
} from "@chat/model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type * as Y from "yjs";
import { MAX_UPDATE_BYTES } from "../src/extensions/writeGuard.ts";
import { MAX_FRAME_BYTES } from "../src/socket.ts";
import {
  api,
  closeReason,
  createStorage,
  Device,
  eventually,
  joinRoom,
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
const device = (user: TestUser, origin?: string) => {
  const d = new Device(server, user, origin);
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

async function roomWithTwo() {
  const alice = await signUp(server, "alice");
  const mallory = await signUp(server, "mallory");
  const { body } = await api(server, "POST", "/api/rooms", { name: uniqueName("room ") }, alice.cookie);
  // Mallory is a member with a modified client: her writes are judged by the rules, not read-only.
  await joinRoom(server, mallory, body.room.id);
  return { alice, mallory, roomId: body.room.id as string };
}

describe("writes the server refuses", () => {
  it("a message whose author is not its sender: closed, not delivered, not stored", async () => {
    const { alice, mallory, roomId } = await roomWithTwo();
    const name = segmentDocName(roomId, 0);
    const aliceSide = await device(alice).open(name);
    const m = await device(mallory).open(name);
    const closing = closeReason(m.provider);
    appendMessage(m.doc, createMessage(alice.id, "I am alice, honest"));
    expect(await closing).toMatch(/^forbidden-write: a message's author must be its sender/);

    // Alice keeps working and never sees the forgery; a fresh device reads no trace of it.
    appendMessage(aliceSide.doc, createMessage(alice.id, "real message"));
    await eventually(
      () => listMessages(aliceSide.doc).find((x) => x.text === "real message")?.seq,
      3_000,
      "alice's message sequenced",
    );
    const fresh = await device(alice).open(name);
    expect(listMessages(fresh.doc).map((x) => x.text)).toEqual(["real message"]);
  });

  it("server-owned fields: room meta, sequence numbers, someone else's read marker", async () => {
    const { alice, mallory, roomId } = await roomWithTwo();
    const attempts: Array<[string, (doc: Y.Doc) => void]> = [
      [roomDocName(roomId), (doc) => doc.getMap(ROOTS.room.meta).set("name", "pwned")],
      [roomDocName(roomId), (doc) => markReadUpTo(doc, alice.id, 99)],
      [segmentDocName(roomId, 0), (doc) => doc.getMap(ROOTS.segment.seq).set("x", 1)],
      [userDocName(mallory.id), (doc) => doc.getMap(ROOTS.user.rooms).set(roomId, { unread: 0 })],
    ];
    for (const [name, write] of attempts) {
      const { doc, provider } = await device(mallory).open(name);
      const closing = closeReason(provider);
      write(doc);
      expect(await closing, name).toMatch(/^forbidden-write:/);
    }
    // Moving one's own read marker is allowed.
    const own = await device(mallory).open(roomDocName(roomId));
    markReadUpTo(own.doc, mallory.id, 1);
    await eventually(() => !own.provider.hasUnsyncedChanges, 3_000, "own read marker acknowledged");
  });

  it("a 1 MB message is refused with a reason; an empty one too", async () => {
    const { mallory, roomId } = await roomWithTwo();
    for (const text of ["x".repeat(1_000_000), "   "]) {
      const { doc, provider } = await device(mallory).open(segmentDocName(roomId, 0));
      const closing = closeReason(provider);
      doc
        .getArray(ROOTS.segment.messages)
        .insert(0, [
          { id: `m${text.length}`, author: mallory.id, createdAt: Date.now(), text, mentions: [] },
        ]);
      expect(await closing).toMatch(/forbidden-write: A message (can be at most|cannot be empty)/);
    }
  });
});

describe("sizes the server refuses", () => {
  it("one update over the byte cap closes the document with 4413; nothing is stored or delivered", async () => {
    const { alice, mallory, roomId } = await roomWithTwo();
    const name = segmentDocName(roomId, 0);
    const a = await device(alice).open(name);
    const m = await device(mallory).open(name);
    const closing = new Promise<{ code: number; reason: string }>((resolve) =>
      m.provider.on("close", ({ event }: { event: { code: number; reason: string } }) => resolve(event)),
    );
    // ~6.6 MB of honest-looking messages in one update: over MAX_UPDATE_BYTES, under the frame cap.
    const count = Math.ceil(MAX_UPDATE_BYTES / MAX_MESSAGE_LENGTH) + 20;
    m.doc.transact(() => {
      for (let i = 0; i < count; i++)
        appendMessage(m.doc, createMessage(mallory.id, `${i} ${"x".repeat(MAX_MESSAGE_LENGTH - 10)}`));
    });
    // A document's close carries only its reason on the wire (the code, 4413, is the server's; the
    // provider reports 1000), as with 4403.
    const event = await closing;
    expect(event.reason).toMatch(/^update-too-large: \d+ bytes, at most 6291456/);

    appendMessage(a.doc, createMessage(alice.id, "after the big one"));
    await eventually(
      () => listMessages(a.doc).find((x) => x.text === "after the big one")?.seq,
      5_000,
      "alice's message sequenced",
    );
    expect(listMessages(a.doc).map((x) => x.text)).toEqual(["after the big one"]);
    const fresh = await device(alice).open(name);
    expect(listMessages(fresh.doc).map((x) => x.text)).toEqual(["after the big one"]);
  });

  it("a frame over 8 MiB closes only that socket; the server and other clients keep working", async () => {
    const { alice, mallory, roomId } = await roomWithTwo();
    const name = segmentDocName(roomId, 0);
    const a = await device(alice).open(name);
    const raw = new WebSocket(server.wsUrl, { headers: { cookie: mallory.cookie } });
    await new Promise((resolve) => raw.on("open", resolve));
    const closedRaw = new Promise<number>((resolve) => raw.on("close", (code) => resolve(code)));
    raw.on("error", () => {});
    raw.send(Buffer.alloc(MAX_FRAME_BYTES + 1024, 1));
    expect(await closedRaw).toBe(1009); // "message too big", from ws before anything parses it
    appendMessage(a.doc, createMessage(alice.id, "still fine"));
    await eventually(
      () => listMessages(a.doc).find((x) => x.text === "still fine")?.seq,
      5_000,
      "message sequenced after the huge frame",
    );
    // Mallory can connect again and write normally.
    const m = await device(mallory).open(name);
    appendMessage(m.doc, createMessage(mallory.id, "me again"));
    await eventually(
      () => listMessages(a.doc).find((x) => x.text === "me again")?.seq,
      5_000,
      "mallory's next message reaches alice",
    );
  });
});

describe("connections the server refuses", () => {
  it("no session, a foreign Origin, unknown rooms and other people's documents", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const status = (headers: Record<string, string>) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(server.wsUrl, { headers });
        ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
        ws.on("open", () => {
          ws.close();
          resolve(101);
        });
        ws.on("error", () => {});
      });
    expect(await status({})).toBe(401);
    expect(await status({ cookie: "chat_session=forged" })).toBe(401);
    expect(await status({ cookie: alice.cookie, origin: "https://evil.example" })).toBe(403);
    expect(await status({ cookie: alice.cookie, origin: new URL(server.url).origin })).toBe(101);

    await expect(device(alice).open(roomDocName("aaaaaaaaaaaaaaaa"))).rejects.toThrow("refused: not-found");
    await expect(device(alice).open("room:../../etc")).rejects.toThrow("refused: not-found");
    await expect(device(alice).open(userDocName(bob.id))).rejects.toThrow("refused: forbidden");
    const privateRoom = await api(
      server,
      "POST",
      "/api/rooms",
      { name: uniqueName("secret "), private: true },
      bob.cookie,
    );
    await expect(device(alice).open(roomDocName(privateRoom.body.room.id))).rejects.toThrow(
      "refused: forbidden",
    );
  });

  it("a client older than the server's schema is told to reload", async () => {
    const alice = await signUp(server, "alice");
    const old = new Device({ ...server, wsUrl: `${server.wsUrl}?schema=0` }, alice);
    devices.push(old);
    await expect(old.open("directory")).rejects.toThrow("refused: outdated-client");
    const current = new Device({ ...server, wsUrl: `${server.wsUrl}?schema=${SCHEMA_VERSION}` }, alice);
    devices.push(current);
    await expect(current.open("directory")).resolves.toBeTruthy();
  });

  it("a malformed frame closes only that socket; everyone else keeps working", async () => {
    const { alice, mallory, roomId } = await roomWithTwo();
    const name = segmentDocName(roomId, 0);
    const a = await device(alice).open(name);
    const raw = new WebSocket(server.wsUrl, { headers: { cookie: mallory.cookie } });
    await new Promise((resolve) => raw.on("open", resolve));
    const closedRaw = new Promise<number>((resolve) => raw.on("close", (code) => resolve(code)));
    raw.send(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]));
    raw.send(Buffer.from("not a hocuspocus message at all"));
    expect(await closedRaw).toBeGreaterThanOrEqual(1000);
    appendMessage(a.doc, createMessage(alice.id, "still here"));
    await eventually(
      () => listMessages(a.doc).find((m) => m.text === "still here")?.seq,
      3_000,
      "message sequenced after the bad frame",
    );
  });

  it("signing out closes the session's sockets and the session stops working", async () => {
    const alice = await signUp(server, "alice");
    const d = device(alice);
    const { provider } = await d.open("directory");
    const disconnected = new Promise((resolve) => provider.on("disconnect", resolve));
    const out = await api(server, "POST", "/api/logout", undefined, alice.cookie);
    expect(out.status).toBe(204);
    await disconnected;
    expect((await api(server, "GET", "/api/session", undefined, alice.cookie)).body.user).toBeNull();
  });
});
