/**
 * Robustness: FUZZ_FRAMES (default 100,000) random and mutated frames and Yjs updates thrown at a
 * running server by an authenticated member, while two honest people keep chatting in the same room.
 * The server must not crash or leak, no stored document may change in a way the rules forbid or
 * fail to decode, and the honest messages must all arrive and be stored. FUZZ_SEED reproduces a run.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import {
  appendMessage,
  createMessage,
  isServerClientId,
  listMessages,
  markReadUpTo,
  ROOTS,
  roomDocName,
  segmentDocName,
  userDocName,
} from "@chat/model";
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import * as Y from "yjs";
import { readDocument } from "../src/docs/documentStore.ts";
import { DEFAULT_LIMITS } from "../src/limits/policy.ts";
import {
  api,
  createStorage,
  Device,
  eventually,
  joinRoom,
  readMetrics,
  signUp,
  startTestServer,
  type TestServer,
  type TestStorage,
  type TestUser,
  uniqueName,
} from "./harness.ts";
import { varBytes, varString, varUint } from "./wire.ts";

const FRAMES = Number(process.env.FUZZ_FRAMES ?? 100_000);
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
/** Fuzzing sockets open at a time, and frames sent on one before waiting for the server to catch up. */
const PARALLEL = 4;
const BATCH = 100;
/** More frames than two people chatting during the run could send: the server counts theirs too. */
const HONEST_FRAME_ALLOWANCE = 1_000;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** mulberry32: a small seeded generator, so a failing run can be replayed with FUZZ_SEED. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    int,
    pick: <T>(items: readonly T[]): T => items[int(items.length)]!,
    bytes: (n: number) => Uint8Array.from({ length: n }, () => int(256)),
  };
}

// --- the wire format (lib0 encoding, as Hocuspocus and Yjs write it) ---
const SYNC = 0;
const AWARENESS = 1;
const AUTH = 2;
const CLOSE = 7;
const UPDATE = 2;
/** The Hocuspocus message type of a frame: the varUint after the document name. */
function messageType(bytes: Uint8Array): number {
  let length = 0;
  let shift = 1;
  let at = 0;
  for (; at < bytes.length; at++) {
    length += (bytes[at]! & 0x7f) * shift;
    shift *= 128;
    if (bytes[at]! < 0x80) break;
  }
  return bytes[at + 1 + length] ?? -1;
}
/** The document address a frame starts with. */
function addressOf(bytes: Uint8Array): string {
  let length = 0;
  let shift = 1;
  let at = 0;
  for (; at < bytes.length; at++) {
    length += (bytes[at]! & 0x7f) * shift;
    shift *= 128;
    if (bytes[at]! < 0x80) break;
  }
  return new TextDecoder().decode(bytes.subarray(at + 1, at + 1 + length));
}
const frame = (doc: string, ...parts: number[]) => Uint8Array.from([...varString(doc), ...parts]);
const syncUpdate = (doc: string, update: Uint8Array | number[]) =>
  frame(doc, SYNC, UPDATE, ...varBytes(update));

/**
 * Yjs updates written by hand (V1 encoding), shaped like the reports of crafted updates that make
 * Yjs loop or corrupt a document (yjs#687, yjs#498): self-referencing and forward-referencing origins,
 * enormous lengths and clocks, gaps, deletions of clocks nobody wrote, contents that lie about their
 * size, and deeply nested values.
 */
function craftedUpdates(victimClient: number, random: ReturnType<typeof generator>): Array<number[]> {
  const client = 1 + random.int(2 ** 30);
  const struct = (c: number, clock: number, body: number[]) => [1, ...varUint(c), ...varUint(clock), ...body];
  const update = (structs: number[][], ds: number[] = [0]) => [
    ...varUint(structs.length),
    ...structs.flatMap((s) => [...varUint(1), ...s]),
    ...ds,
  ];
  const inRoot = (root: string, content: number[], info: number) => [
    info,
    ...varUint(1),
    ...varString(root),
    ...content,
  ];
  const nested = (depth: number) => [...Array.from({ length: depth }, () => [117, 1]).flat(), 127];
  const roots = ["messages", "reads", "drafts", "meta", "seq", ""];
  return [
    // An item whose origin is itself, or a clock further on in the same update.
    update([struct(client, 0, [0x81, ...varUint(client), 0, ...varUint(3)])]),
    update([struct(client, 0, [0x81, ...varUint(client), ...varUint(7), ...varUint(3)])]),
    // A deleted range of 2^40 clocks, a content claiming 2^31 characters.
    update([struct(client, 0, inRoot(random.pick(roots), varUint(2 ** 40), 1))]),
    update([struct(client, 0, inRoot(random.pick(roots), [...varUint(2 ** 31), 65, 66], 4))]),
    // Clocks far beyond anything written (a gap) and the largest safe client id.
    update([struct(client, 2 ** 45, inRoot("messages", varUint(1), 1))]),
    update([struct(2 ** 53 - 1, 0, inRoot("reads", [1, ...varString("x"), 1, 125, 1], 0x28))]),
    // Deleting everything the honest client ever wrote, and clocks it has not written yet.
    update([], [1, ...varUint(victimClient), 1, 0, ...varUint(2 ** 53 - 1)]),
    update([], [1, ...varUint(victimClient), 1, ...varUint(10_000_000), 5]),
    // Deeply nested JSON inside a message-shaped item; an unknown content type; a parent by a missing id.
    update([struct(client, 0, inRoot("messages", [1, ...nested(1_000 + random.int(5_000))], 8))]),
    update([struct(client, 0, inRoot("messages", [7, 99], 7))]),
    update([struct(client, 0, [8, 0, ...varUint(client + 1), 0, 1, 125, 1])]),
    // The attack-and-fault probe's frames: garbage-collected runs past 2^53 under client 4242.
    [1, 2, ...varUint(4242), 0, 0, ...varUint(2 ** 56), 0, ...varUint(2 ** 54), 0],
    [1, 1, ...varUint(4242), 0, 0, ...varUint(2 ** 56), 0],
    [1, 1, ...varUint(4242), ...varUint(2 ** 56), 0, ...varUint(2 ** 54), 0],
    // Many tiny structs in one update.
    update(
      Array.from({ length: 500 }, (_, i) =>
        struct(client, i, inRoot("drafts", [1, 125, i % 64], 0x28).slice(0)),
      ),
    ),
    // A valid-looking struct cut short.
    update([struct(client, 0, inRoot("messages", [1, 119, ...varUint(100), 65], 8))]),
  ];
}

/**
 * A structurally valid update built to hurt rather than to parse badly: runs of garbage-collected
 * and skipped clocks, content-less items (a map entry written and overwritten offline) and plain
 * items, under fresh client ids, the honest devices' ids and the server's own, at the clock each
 * already reached or far beyond, with lengths up to 2^56 (lib0 cannot decode a clock past 2^53).
 */
function hostileUpdate(random: ReturnType<typeof generator>, known: ReadonlyMap<number, number>): number[] {
  const lengths = [1, 2, 1_000, 2 ** 31, 2 ** 40, 2 ** 41, 2 ** 53 - 1, 2 ** 54, 2 ** 56];
  const roots = ["messages", "reads", "drafts", "settings", "meta", "seq", "edits", "reactions", "members"];
  const clients = [...known.keys()];
  const blocks: number[][] = [];
  for (let b = 1 + random.int(3); b > 0; b--) {
    const client =
      random.int(3) === 0 || clients.length === 0 ? 1 + random.int(2 ** 32) : random.pick(clients);
    const start = random.int(4) === 0 ? random.pick(lengths) : (known.get(client) ?? 0);
    const structs: number[][] = [];
    for (let n = 1 + random.int(5); n > 0; n--) {
      const length = random.int(2) === 0 ? random.pick(lengths) : 1 + random.int(20);
      const root = varString(random.pick(roots));
      const key = varString(random.pick(["k", "1", "alice", `${random.int(1_000)}`]));
      switch (random.int(5)) {
        case 0: // garbage-collected clocks
          structs.push([0, ...varUint(length)]);
          break;
        case 1: // skipped clocks (a hole)
          structs.push([10, ...varUint(length)]);
          break;
        case 2: // a content-less map entry
          structs.push([0x21, 1, ...root, ...key, ...varUint(length)]);
          break;
        case 3: // a content-less array element
          structs.push([0x01, 1, ...root, ...varUint(length)]);
          break;
        default: // a map entry holding a number
          structs.push([0x28, 1, ...root, ...key, 1, 125, ...varUint(random.int(64))]);
      }
    }
    blocks.push([...varUint(structs.length), ...varUint(client), ...varUint(start), ...structs.flat()]);
  }
  return [...varUint(blocks.length), ...blocks.flat(), 0];
}

/** Real frames a provider sends, recorded from an honest session of the fuzzing account. */
async function recordRealFrames(server: TestServer, user: TestUser, names: string[]): Promise<Uint8Array[]> {
  const recorded: Uint8Array[] = [];
  const headers = { cookie: user.cookie, origin: new URL(server.url).origin };
  class RecordingWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers });
    }
    override send(data: unknown, ...rest: unknown[]): void {
      recorded.push(Uint8Array.from(data as Uint8Array));
      (super.send as (...args: unknown[]) => void)(data, ...rest);
    }
  }
  const socket = new HocuspocusProviderWebsocket({
    url: server.wsUrl,
    WebSocketPolyfill: RecordingWebSocket,
  });
  const providers: HocuspocusProvider[] = [];
  for (const name of names) {
    const doc = new Y.Doc();
    await new Promise<void>((resolve) => {
      const provider = new HocuspocusProvider({
        websocketProvider: socket,
        name,
        document: doc,
        token: "session",
        onSynced: () => resolve(),
      });
      provider.attach();
      providers.push(provider);
    });
    const provider = providers.at(-1)!;
    provider.setAwarenessField("user", { name: user.username, typing: true });
    if (name.includes("/"))
      for (let i = 0; i < 3; i++) appendMessage(doc, createMessage(user.id, `real message ${i}`));
    else if (name.startsWith("room:")) markReadUpTo(doc, user.id, 2);
    else if (name.startsWith("user:")) doc.getMap(ROOTS.user.drafts).set("r", "a draft");
    await eventually(() => !provider.hasUnsyncedChanges, 5_000, `recording ${name}`);
  }
  for (const provider of providers) provider.destroy();
  socket.destroy();
  return recorded;
}

let storage: TestStorage;
let server: TestServer;
beforeAll(async () => {
  storage = await createStorage();
  server = await startTestServer(
    storage,
    0,
    {},
    {
      limits: {
        ...DEFAULT_LIMITS,
        // The fuzzer is meant to reach the frame parsers, not the rate limiter (tested in limits.test.ts).
        socket: {
          framesPerSecond: 1e9,
          frameBurst: 1e9,
          bytesPerSecond: 1e12,
          byteBurst: 1e12,
          perAccount: 1e9,
        },
        account: { ...DEFAULT_LIMITS.account, apiWritesPerMinute: 1_000, messagesPerMinute: 1e9 },
      },
    },
  );
});
afterAll(async () => {
  await server?.close();
  await storage?.dispose();
});

/** A stored document rebuilt from Postgres: every log row must decode and leave nothing pending. */
async function storedDocument(name: string): Promise<Y.Doc> {
  const doc = new Y.Doc();
  for (const bytes of await readDocument(server.db, name)) {
    Y.decodeUpdate(bytes);
    Y.applyUpdate(doc, bytes);
  }
  expect(doc.store.pendingStructs, `${name} has pending structs`).toBeNull();
  expect(doc.store.pendingDs, `${name} has pending deletions`).toBeNull();
  // Every clock stays decodable: the state vector a client is sent reads back.
  Y.decodeStateVector(Y.encodeStateVector(doc));
  return doc;
}

const rootsJson = (doc: Y.Doc, roots: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(roots).map(([key, root]) => [
      key,
      key === "messages" || key === "segments" ? doc.getArray(root).toJSON() : doc.getMap(root).toJSON(),
    ]),
  );

describe("fuzzing a running server", () => {
  it(`survives ${FRAMES} random and mutated frames while others keep chatting`, async () => {
    const random = generator(SEED);
    console.info(`fuzz seed ${SEED} (FUZZ_SEED=${SEED} reproduces this run)`);
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const mallory = await signUp(server, "mallory");
    const room = await api(server, "POST", "/api/rooms", { name: uniqueName("fuzz ") }, alice.cookie);
    const roomId = room.body.room.id as string;
    // Mallory fuzzes as a member (a modified client), so her frames reach the write rules.
    await joinRoom(server, bob, roomId);
    await joinRoom(server, mallory, roomId);
    const segment = segmentDocName(roomId, 0);
    const names = ["directory", roomDocName(roomId), segment, userDocName(mallory.id)];

    const aliceDevice = new Device(server, alice, undefined, { maxAttempts: 0 });
    const bobDevice = new Device(server, bob, undefined, { maxAttempts: 0 });
    const a = await aliceDevice.open(segment);
    const b = await bobDevice.open(segment);
    const aliceIndex = await aliceDevice.open(userDocName(alice.id));
    appendMessage(a.doc, createMessage(alice.id, "before the storm"));
    await eventually(
      () => listMessages(b.doc).some((m) => m.text === "before the storm" && m.seq),
      10_000,
      "first message",
    );

    // Every client id the honest segment holds (alice's, bob's, the server's) with its clock.
    const knownClients = Y.decodeStateVector(Y.encodeStateVector(b.doc));
    expect([...knownClients.keys()].some(isServerClientId)).toBe(true);
    const corpus = await recordRealFrames(server, mallory, names);
    const crafted = craftedUpdates(a.doc.clientID, random);
    const authFrames = corpus.filter((f) => messageType(f) === AUTH);
    expect(authFrames.length).toBe(names.length);

    // Before: what the rules protect, as stored.
    const before = {
      room: rootsJson(await storedDocument(roomDocName(roomId)), ROOTS.room),
      segment: listMessages(await storedDocument(segment)).filter((m) => m.author !== mallory.id),
      aliceIndex: aliceIndex.doc.getMap(ROOTS.user.rooms).toJSON(),
    };

    const header = (doc: string) => varString(doc).length;
    const realFor = (doc: string) =>
      corpus.filter(
        (f) =>
          f.length > header(doc) &&
          new TextDecoder().decode(f.slice(header(doc) - doc.length, header(doc))) === doc,
      );
    const byDoc = new Map(names.map((doc) => [doc, realFor(doc)]));
    const updatesByDoc = new Map(
      names.map((doc) => [
        doc,
        realFor(doc).filter((f) => messageType(f) === SYNC && f.length > header(doc) + 8),
      ]),
    );
    const flipped = (original: Uint8Array, from: number, flips: number) => {
      const copy = Uint8Array.from(original);
      for (let i = flips; i > 0 && copy.length > from; i--)
        copy[from + random.int(copy.length - from)]! ^= 1 << random.int(8);
      return copy;
    };
    // Frames that keep a valid address for `doc`, so they reach the message parsers of an open
    // document connection rather than closing the socket at once.
    const bodyMutators: Array<(doc: string) => Uint8Array> = [
      (doc) => frame(doc, ...random.bytes(1 + random.int(48))), // random body
      (doc) => flipped(random.pick(byDoc.get(doc)!), header(doc), 1 + random.int(6)), // a real frame, bits flipped
      (doc) => {
        // a real frame, truncated inside its body
        const original = random.pick(byDoc.get(doc)!);
        return original.slice(0, header(doc) + 1 + random.int(original.length - header(doc)));
      },
      (doc) => {
        // random bytes inserted into a real body
        const original = random.pick(byDoc.get(doc)!);
        const at = header(doc) + random.int(original.length - header(doc));
        return Uint8Array.from([
          ...original.slice(0, at),
          ...random.bytes(1 + random.int(8)),
          ...original.slice(at),
        ]);
      },
      (doc) =>
        frame(
          doc,
          random.pick([SYNC, AWARENESS, 2, 3, 5, 7, 8]),
          0xff,
          0xff,
          0xff,
          0xff,
          0x0f,
          ...random.bytes(4),
        ), // huge length
      (doc) => frame(doc, SYNC, random.pick([0, 1, 2]), 0x80, 0x80, 0x80), // truncated varint
      (doc) => syncUpdate(doc, random.pick(crafted)), // crafted Yjs update
      (doc) => syncUpdate(doc, random.pick(crafted)),
      (doc) => syncUpdate(doc, hostileUpdate(random, knownClients)), // valid structure, hostile content
      (doc) => syncUpdate(doc, hostileUpdate(random, knownClients)),
      (doc) => {
        // a real Yjs update, mutated inside a well-formed frame
        const updates = updatesByDoc.get(doc)!;
        return updates.length > 0
          ? flipped(random.pick(updates), header(doc) + 4, 1 + random.int(4))
          : frame(doc, SYNC, 0, 0);
      },
      (doc) =>
        frame(
          doc,
          AWARENESS,
          ...varBytes([
            1,
            ...varUint(random.int(2 ** 32)),
            1,
            ...varString(
              random.pick([
                "{",
                "[]",
                "null",
                `{"user":${"[".repeat(5_000)}`,
                '"x"',
                '{"user":{"name":"alice"}}',
              ]),
            ),
          ]),
        ),
      (doc) => random.pick(byDoc.get(doc)!), // replayed as is
    ];
    // Frames whose address itself is broken: each closes its socket (4400), so one ends a batch.
    const headerMutators: Array<() => Uint8Array> = [
      () => random.bytes(random.int(64)),
      () => flipped(random.pick(corpus), 0, 1 + random.int(6)),
      () => random.pick(corpus).slice(0, random.int(8)),
      () => Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 1]), // huge address length
    ];

    const memoryBefore = await settledMemory();
    const connectionsBefore = server.hocuspocus.getConnectionsCount();
    const silenced = silenceServerLogs();
    const started = performance.now();
    let sent = 0;
    let handled = 0;
    const handledBefore = await framesHandled();
    let sockets = 0;
    const closeCodes = new Map<number, number>();
    let honestSent = 0;
    let slowestDeliveryMs = 0;
    const deliveries: Promise<void>[] = [];
    const honest = setInterval(() => {
      const text = `honest ${honestSent++}`;
      const at = performance.now();
      appendMessage(a.doc, createMessage(alice.id, text));
      deliveries.push(
        eventually(
          () => listMessages(b.doc).some((m) => m.text === text),
          30_000,
          `delivery of ${text}`,
        ).then(() => {
          slowestDeliveryMs = Math.max(slowestDeliveryMs, performance.now() - at);
        }),
      );
    }, 200);

    try {
      const fuzzer = async (target: number) => {
        while (sent < target) {
          sockets++;
          const ws = new WebSocket(server.wsUrl, { headers: { cookie: mallory.cookie } });
          const opened = await new Promise<boolean>((resolve) => {
            ws.once("open", () => resolve(true));
            ws.once("error", () => resolve(false));
          });
          if (!opened) continue;
          let closeCode = 0;
          ws.once("close", (code) => {
            closeCode = code;
          });
          // Authenticate the documents first, so mutated frames reach the sync and awareness code.
          for (const f of authFrames) ws.send(f);
          // The server tells the client when it closes a document connection (after a bad frame):
          // only then is the document opened again, sparing an authentication per batch.
          const closedDocs = new Set<string>();
          ws.on("message", (data: Buffer) => {
            const bytes = new Uint8Array(data);
            if (messageType(bytes) === CLOSE) closedDocs.add(addressOf(bytes));
          });
          while (ws.readyState === WebSocket.OPEN && sent < target) {
            // (Re)open one document (a bad frame closes its connection), then a batch of frames for it.
            const doc = random.pick(names);
            if (closedDocs.delete(doc)) ws.send(authFrames[names.indexOf(doc)]!);
            for (let i = 0; i < BATCH && sent < target; i++, sent++) ws.send(random.pick(bodyMutators)(doc));
            if (random.int(4) === 0 && sent < target) {
              ws.send(random.pick(headerMutators)());
              sent++;
            }
            await new Promise<void>((resolve) => {
              if (ws.readyState !== WebSocket.OPEN) return resolve();
              ws.once("pong", () => resolve());
              ws.once("close", () => resolve());
              ws.ping();
            });
          }
          if (ws.readyState !== WebSocket.OPEN)
            closeCodes.set(closeCode, (closeCodes.get(closeCode) ?? 0) + 1);
          ws.terminate();
        }
      };
      // Frames sent after one that closes a socket never reach the server: keep going until the
      // server itself counted FRAMES more than the honest clients could have sent meanwhile.
      const wanted = FRAMES + HONEST_FRAME_ALLOWANCE;
      for (;;) {
        handled = (await framesHandled()) - handledBefore;
        if (handled >= wanted) break;
        const target = sent + (wanted - handled);
        await Promise.all(Array.from({ length: PARALLEL }, () => fuzzer(target)));
      }
    } finally {
      clearInterval(honest);
      silenced.restore();
    }
    const fuzzSeconds = (performance.now() - started) / 1000;
    await Promise.all(deliveries);
    await eventually(() => !a.provider.hasUnsyncedChanges, 30_000, "alice's messages acknowledged");
    await eventually(
      () => server.hocuspocus.getConnectionsCount() <= connectionsBefore,
      10_000,
      "fuzz connections gone",
    );
    const memoryAfter = await settledMemory();
    console.info(
      `fuzz: ${handled} frames handled by the server (${sent} sent) on ${sockets} sockets in ${fuzzSeconds.toFixed(1)} s (${Math.round(sent / fuzzSeconds)}/s); ` +
        `${honestSent} honest messages, slowest delivery ${Math.round(slowestDeliveryMs)} ms; ` +
        `heap ${mb(memoryBefore.heapUsed)} → ${mb(memoryAfter.heapUsed)} MB, rss ${mb(memoryBefore.rss)} → ${mb(memoryAfter.rss)} MB; ` +
        `${silenced.count} server log lines; sockets closed by the server: ${JSON.stringify(Object.fromEntries(closeCodes))}`,
    );

    expect(handled).toBeGreaterThanOrEqual(FRAMES);
    expect(honestSent).toBeGreaterThan(0);
    // No leak: what the fuzzing left behind is collected (generous against GC noise; a leak of
    // even 100 bytes per frame would show as 10 MB).
    expect(memoryAfter.heapUsed - memoryBefore.heapUsed).toBeLessThan(32 * 1024 * 1024);

    // Nothing stored is corrupt or forged: every row decodes, nothing is pending, what the rules
    // protect is unchanged, and every message the honest people see is theirs or mallory's own.
    const storedRoom = await storedDocument(roomDocName(roomId));
    const afterRoom = rootsJson(storedRoom, ROOTS.room);
    expect(afterRoom.meta).toEqual(before.room.meta);
    expect(afterRoom.members).toEqual(before.room.members);
    expect(afterRoom.segments).toEqual(before.room.segments);
    for (const [who, seq] of Object.entries(afterRoom.reads as Record<string, unknown>))
      if (who !== mallory.id) expect(seq).toEqual((before.room.reads as Record<string, unknown>)[who]);
    const storedSegment = await storedDocument(segment);
    const stored = listMessages(storedSegment);
    for (const message of before.segment)
      expect(stored).toContainEqual(expect.objectContaining({ id: message.id, text: message.text }));
    const aliceTexts = stored.filter((m) => m.author === alice.id).map((m) => m.text);
    expect(aliceTexts).toEqual([
      "before the storm",
      ...Array.from({ length: honestSent }, (_, i) => `honest ${i}`),
    ]);
    expect(stored.every((m) => m.author === alice.id || m.author === mallory.id)).toBe(true);
    expect(stored.filter((m) => m.author === alice.id).every((m) => m.seq)).toBe(true);
    // The live document equals what Postgres holds.
    const live = server.hocuspocus.documents.get(segment);
    if (live)
      expect(
        listMessages(live)
          .map((m) => m.id)
          .sort(),
      ).toEqual(stored.map((m) => m.id).sort());
    // Alice's index entry is the server's: unchanged but for the counts it keeps, and those count
    // exactly what is stored (mallory's accepted messages are unread for alice).
    const aliceRead = Number((afterRoom.reads as Record<string, unknown>)[alice.id] ?? 0);
    const unreadForAlice = stored.filter(
      (m) => m.author !== alice.id && m.seq !== null && m.seq > aliceRead && !m.deleted && !m.event,
    );
    const entry = await eventually(
      () => {
        const current = aliceIndex.doc.getMap(ROOTS.user.rooms).toJSON()[roomId];
        return current?.unread === unreadForAlice.length ? current : undefined;
      },
      10_000,
      "alice's unread count to match what is stored",
    );
    const { lastActivity: _a, unread: _u, mentions: _m, ...rest } = entry;
    const { lastActivity: _b, unread: _v, mentions: _n, ...restBefore } = before.aliceIndex[roomId];
    expect(rest).toEqual(restBefore);
    expect(entry.mentions).toBe(unreadForAlice.filter((m) => m.mentions.includes(alice.username)).length);
    await storedDocument(userDocName(mallory.id));
    await storedDocument("directory");
    await storedDocument(userDocName(alice.id));

    aliceDevice.destroy();
    bobDevice.destroy();
  }, 120_000);
});

/** The server's own count of frames it accepted for parsing (Prometheus, /metrics). */
async function framesHandled(): Promise<number> {
  const text = await readMetrics(server);
  return Number(/^chat_websocket_frames_total (\d+)/m.exec(text)?.[1] ?? 0);
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

async function settledMemory(): Promise<NodeJS.MemoryUsage> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 50));
  }
  return process.memoryUsage();
}

/** Hocuspocus logs every closed connection with a stack; 100,000 of them would only slow the run. */
function silenceServerLogs() {
  const original = { error: console.error, warn: console.warn };
  const silenced = { count: 0, restore: () => Object.assign(console, original) };
  console.error = () => {
    silenced.count++;
  };
  console.warn = () => {
    silenced.count++;
  };
  return silenced;
}
