import {
  appendMessage,
  createMessage,
  DIRECTORY_DOC,
  isServerClientId,
  listMessages,
  roomDocName,
  segmentDocName,
  userDocName,
} from "@chat/model";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import * as Y from "yjs";
import { loadConfig } from "../src/config.ts";
import { openDatabase } from "../src/db/open.ts";
import {
  api,
  closeReason,
  createStorage,
  Device,
  eventually,
  joinRoom,
  readMetrics,
  signUp,
  type TestStorage,
  type TestUser,
  uniqueName,
} from "./harness.ts";
import { freePort, killServerProcesses, ServerProcess } from "./serverProcess.ts";
import { PROBE_CRASH_UPDATE, PROBE_DAMAGING_UPDATES, varString, varUint } from "./wire.ts";

/**
 * Structurally valid Yjs updates that hurt (issue 17 of the attack-and-fault probe): runaway clocks
 * from garbage-collected ranges, the server's own client id, and what an older server stored of
 * them. The server runs as a child process, so a crash is a real exit.
 */

const AUTH = 2;
const SYNC = 0;
const SYNC_UPDATE = 2;
const CLOSE = 7;
const authFrame = (doc: string) => Uint8Array.from([...varString(doc), AUTH, 0, ...varString("session")]);
const updateFrame = (doc: string, update: Uint8Array) =>
  Uint8Array.from([...varString(doc), SYNC, SYNC_UPDATE, ...varUint(update.length), ...update]);

/** A raw socket of one person, as a hostile script holds it. */
class RawSocket {
  private readonly ws: WebSocket;
  private readonly frames: Uint8Array[] = [];
  readonly opened: Promise<void>;
  closed = false;

  constructor(server: { url: string; wsUrl: string }, user: TestUser) {
    this.ws = new WebSocket(server.wsUrl, { headers: { cookie: user.cookie, origin: server.url } });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once("open", () => resolve());
      this.ws.once("error", reject);
    });
    this.ws.on("message", (data: Buffer) => this.frames.push(new Uint8Array(data)));
    this.ws.on("close", () => {
      this.closed = true;
    });
  }

  /** Opens a document and waits for the server's answer to the authentication. */
  async authenticate(doc: string): Promise<void> {
    const before = this.frames.length;
    this.ws.send(authFrame(doc));
    await eventually(
      () => this.frames.slice(before).some((f) => startsWith(f, [...varString(doc), AUTH])),
      10_000,
      `the server to answer the authentication for ${doc}`,
    );
  }

  /** Sends an update; resolves once the server closed that document's connection (or the socket). */
  async sendRefused(doc: string, update: Uint8Array): Promise<void> {
    const before = this.frames.length;
    this.ws.send(updateFrame(doc, update));
    await eventually(
      () => this.closed || this.frames.slice(before).some((f) => startsWith(f, [...varString(doc), CLOSE])),
      10_000,
      `the server to close ${doc}`,
    );
  }

  close(): void {
    this.ws.terminate();
  }
}

const startsWith = (bytes: Uint8Array, prefix: number[]) => prefix.every((b, i) => bytes[i] === b);

let storage: TestStorage;
beforeAll(async () => {
  storage = await createStorage();
});
// A test that failed half-way must not leave its server holding the data directory for the next.
afterEach(() => killServerProcesses());
afterAll(async () => {
  await killServerProcesses();
  await storage?.dispose();
});

describe("updates that would crash the server or break a document", () => {
  it("the probe's crash frame and damaging frames are refused everywhere; the server serves on, and every document reads after a restart", {
    timeout: 90_000,
  }, async () => {
    const port = await freePort();
    let server = await ServerProcess.start(storage, port);
    const alice = await signUp(server, "alice");
    const mallory = await signUp(server, "mallory");
    const { body } = await api(server, "POST", "/api/rooms", { name: uniqueName("target ") }, alice.cookie);
    const roomId = body.room.id as string;
    await joinRoom(server, mallory, roomId);
    const segment = segmentDocName(roomId, 0);
    const aliceDevice = new Device(server, alice, undefined, { maxAttempts: 0 });
    const a = await aliceDevice.open(segment);
    appendMessage(a.doc, createMessage(alice.id, "before the attack"));
    await eventually(() => listMessages(a.doc)[0]?.seq, 10_000, "alice's first message numbered");

    // Mallory opens what a member may open (the directory read-only) and sends each frame to each.
    const targets = [DIRECTORY_DOC, roomDocName(roomId), segment, userDocName(mallory.id)];
    for (const update of [PROBE_CRASH_UPDATE, ...PROBE_DAMAGING_UPDATES]) {
      const raw = new RawSocket(server, mallory);
      await raw.opened;
      for (const doc of targets) {
        await raw.authenticate(doc);
        await raw.sendRefused(doc, update);
      }
      raw.close();
    }
    expect(server.alive).toBe(true);

    // The room goes on: alice's next message is delivered, stored and numbered.
    appendMessage(a.doc, createMessage(alice.id, "after the attack"));
    await eventually(
      () => listMessages(a.doc).find((m) => m.text === "after the attack")?.seq,
      10_000,
      "alice's message after the attack numbered",
    );
    aliceDevice.destroy();

    // Stopped (documents folded into snapshots) and started again: everything loads and decodes.
    expect(await server.stop("SIGTERM")).toBe(0);
    server = await ServerProcess.start(storage, port);
    expect(await signUp(server, "newcomer")).toBeTruthy(); // the directory loads
    const check = new Device(server, alice);
    for (const doc of [DIRECTORY_DOC, roomDocName(roomId), segment]) {
      const { doc: copy } = await check.open(doc);
      const vector = Y.decodeStateVector(Y.encodeStateVector(copy));
      expect(vector.has(4242), `${doc} holds the attacker's clock`).toBe(false);
    }
    const reread = check.providers.get(segment)!.document;
    expect(listMessages(reread).map((m) => m.text)).toEqual(["before the attack", "after the attack"]);
    check.destroy();
    expect(server.alive).toBe(true);
  });

  it("a member cannot write under the server's client id: the stamps that number messages stay the server's", async () => {
    const port = await freePort();
    const server = await ServerProcess.start(storage, port);
    const alice = await signUp(server, "alice");
    const mallory = await signUp(server, "mallory");
    const { body } = await api(server, "POST", "/api/rooms", { name: uniqueName("stamps ") }, alice.cookie);
    await joinRoom(server, mallory, body.room.id);
    const segment = segmentDocName(body.room.id, 0);
    const aliceDevice = new Device(server, alice);
    const malloryDevice = new Device(server, mallory);
    const a = await aliceDevice.open(segment);
    const m = await malloryDevice.open(segment);
    appendMessage(a.doc, createMessage(alice.id, "numbered by the server"));
    await eventually(() => listMessages(m.doc)[0]?.seq, 10_000, "the first stamp to reach mallory");

    // The server's id is in every copy's state vector; mallory writes a message of her own under it.
    const serverId = [...Y.decodeStateVector(Y.encodeStateVector(m.doc)).keys()].find(isServerClientId);
    expect(serverId, "the stamp is written under an id no device draws").toBeDefined();
    const forger = new Y.Doc();
    Y.applyUpdate(forger, Y.encodeStateAsUpdate(m.doc));
    // After the state is in: Yjs draws a new id for a document whose own id a remote change used.
    forger.clientID = serverId!;
    const known = Y.encodeStateVector(forger);
    appendMessage(forger, createMessage(mallory.id, "written under the server's id"));
    const closing = closeReason(m.provider);
    Y.applyUpdate(m.doc, Y.encodeStateAsUpdate(forger, known));
    expect(await closing).toMatch(/^forbidden-write: that Yjs client id is reserved for the server/);

    // The next stamp is not lost: alice's second message is numbered, on her screen too.
    appendMessage(a.doc, createMessage(alice.id, "still numbered"));
    await eventually(
      () => listMessages(a.doc).find((x) => x.text === "still numbered")?.seq,
      10_000,
      "the next stamp",
    );
    aliceDevice.destroy();
    malloryDevice.destroy();
    await server.stop();
  });

  it("a refused write is one log line at warn, none at LOG_LEVEL=error, and counted in /metrics", {
    timeout: 60_000,
  }, async () => {
    let counted = "";
    const refusedWrites = async (logLevel: string) => {
      const server = await ServerProcess.start(storage, await freePort(), { LOG_LEVEL: logLevel });
      const mallory = await signUp(server, "mallory");
      const raw = new RawSocket(server, mallory);
      await raw.opened;
      for (let i = 0; i < 10; i++) {
        await raw.authenticate(DIRECTORY_DOC);
        await raw.sendRefused(DIRECTORY_DOC, PROBE_CRASH_UPDATE);
      }
      raw.close();
      await new Promise((r) => setTimeout(r, 200)); // the last lines reach the pipe
      counted = await readMetrics(server);
      await server.stop();
      return server.output;
    };
    const atWarn = await refusedWrites("warn");
    const refusals = atWarn.split("\n").filter((line) => line.includes("refused a write"));
    expect(refusals).toHaveLength(10);
    expect(atWarn).not.toMatch(/\n\s+at /); // no stack traces
    expect(atWarn.split("\n").filter((line) => line.trim()).length).toBeLessThanOrEqual(20);
    expect((await refusedWrites("error")).trim()).toBe("");
    expect(counted).toMatch(/^chat_refusals_total\{reason="write-forbidden"\} 10$/m);
  });
});

describe("a document an older server stored damaged", () => {
  it("is served from what can be read; the damaged part is set aside, reported and counted", {
    timeout: 60_000,
  }, async () => {
    const port = await freePort();
    let server = await ServerProcess.start(storage, port);
    const alice = await signUp(server, "alice");
    const { body } = await api(server, "POST", "/api/rooms", { name: uniqueName("damaged ") }, alice.cookie);
    const segment = segmentDocName(body.room.id, 0);
    const device = new Device(server, alice);
    const { doc } = await device.open(segment);
    for (const text of ["one", "two", "three"]) appendMessage(doc, createMessage(alice.id, text));
    await eventually(() => listMessages(doc).every((m) => m.seq), 10_000, "messages numbered");
    device.destroy();
    expect(await server.stop("SIGTERM")).toBe(0);

    // What the probe's two frames left in Postgres under the old server: a snapshot Yjs cannot read.
    const db = await openDatabase(loadConfig({ ...storage.env, WEB_DIST: "" }));
    try {
      const [row] = await db.query<{ snapshot: Uint8Array }>(
        "select snapshot from documents where name = $1",
        [segment],
      );
      const poisoned = new Y.Doc();
      Y.applyUpdate(poisoned, row!.snapshot);
      for (const update of PROBE_DAMAGING_UPDATES) Y.applyUpdate(poisoned, update);
      await db.query("update documents set snapshot = $2 where name = $1", [
        segment,
        Y.encodeStateAsUpdate(poisoned),
      ]);
    } finally {
      await db.close();
    }

    server = await ServerProcess.start(storage, port);
    const again = new Device(server, alice);
    const { doc: reread } = await again.open(segment);
    expect(listMessages(reread).map((m) => m.text)).toEqual(["one", "two", "three"]);
    expect(Y.decodeStateVector(Y.encodeStateVector(reread)).has(4242)).toBe(false);
    again.destroy();
    expect(server.output).toMatch(/could not be applied as it was/);
    const metrics = await readMetrics(server);
    expect(metrics).toMatch(/^chat_damaged_document_parts_total [1-9]/m);
    await server.stop("SIGTERM");

    const check = await openDatabase(loadConfig({ ...storage.env, WEB_DIST: "" }));
    try {
      const kept = await check.query<{ source: string; problem: string }>(
        "select source, problem from damaged_updates where name = $1",
        [segment],
      );
      expect(kept).toEqual([expect.objectContaining({ source: "snapshot" })]);
      // The snapshot written since reads again.
      const [row] = await check.query<{ snapshot: Uint8Array }>(
        "select snapshot from documents where name = $1",
        [segment],
      );
      expect(() => Y.applyUpdate(new Y.Doc(), row!.snapshot)).not.toThrow();
    } finally {
      await check.close();
    }
  });
});
