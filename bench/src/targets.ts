import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createMessage,
  DIRECTORY_DOC,
  DIRECTORY_PRESENCE_PACE,
  FILE_NAME_HEADER,
  isMessageRecord,
  newAttachmentId,
  paceAwareness,
  parseDocName,
  ROOTS,
  roomDocName,
  SCHEMA_VERSION,
  userDocName,
} from "@chat/model";
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import * as decoding from "lib0/decoding";
import WebSocket from "ws";
import { Awareness, removeAwarenessStates } from "y-protocols/awareness";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { freePort, portAnswers, type ServerProcess, startProcess } from "./processes.ts";

/**
 * One connected device as the delivery scenarios see it: it sends messages into its room and hears
 * of every message another device sent there. Yjs devices and Prosody's XMPP devices both are one.
 */
export interface MessagingDevice {
  author: string;
  /** Sends a message into the device's room; returns its id. */
  send(text: string): string;
  /** `listener` gets the id of every message that reaches this device from another one. */
  onMessage(listener: (id: string) => void): void;
  /** Drops the connection (as a network outage does); resolves once it is closed. */
  disconnect(): Promise<void>;
  /** Connects again after `disconnect`; resolves once everything it had open is in step again. */
  reconnect(): Promise<void>;
  destroy(): void;
}

/** A Yjs device: its copy of the document it opened (a room's newest segment, mostly). */
export interface BenchDevice extends MessagingDevice {
  doc: Y.Doc;
  /** Opens one more document on the device's connection; resolves with it once synced. */
  open(name: string): Promise<Y.Doc>;
}

/** A server the delivery scenarios can measure: devices in rooms, messages between them. */
export interface DeliveryTarget {
  name: string;
  server: ServerProcess;
  /** The port of the Postgres this server stores in, whose backends' CPU counts as its own. */
  postgresPort?: number;
  /** Creates `count` rooms and returns a name for each, which `connect` takes. */
  prepareRooms(count: number, people?: number): Promise<string[]>;
  /**
   * Connects device number `index` to a room; resolves once it is in step. With `opens: "app"` a
   * Yjs device also opens, on the same socket, what the app keeps open beside a room's newest
   * segment: the directory, its person's index document and the room document (see appDocuments).
   */
  connect(docName: string, index: number, opens?: Opens, people?: number): Promise<MessagingDevice>;
  /**
   * Makes the people of devices `indexes` members of the room of `docName` before anything is timed,
   * as people are in their rooms when they open the app in the morning. Only servers with members.
   */
  addMembers?(docName: string, indexes: readonly number[], people?: number): Promise<void>;
  /** The server's counters from /metrics, by name (labels kept in the name); only our server has them. */
  counters?(): Promise<Map<string, number>>;
  /**
   * With BENCH_SQL_KINDS, our server on PGlite: each statement's count and time on the database's
   * thread so far, by its text (pgliteThread.ts); null when not kept.
   */
  statementStats?(): StatementStats | null;
}

export type StatementStats = Map<string, { count: number; ms: number }>;

/** A Yjs server under test: every scenario, those that read documents too. */
export interface Target extends DeliveryTarget {
  connect(docName: string, index: number, opens?: Opens, people?: number): Promise<BenchDevice>;
  /** Restarts the server process (for cold loads); only targets that store anything can. */
  restart?(): Promise<void>;
  loadedDocuments?(): Promise<number>;
  /**
   * Uploads `bytes` as a file named `name` to the room of `docName`, as device number `index`'s person
   * (a member of it); resolves with the HTTP status once the server answered. Only our server.
   */
  upload?(
    docName: string,
    index: number,
    name: string,
    bytes: Uint8Array,
    /** Sends the body at this pace, as a real network would (default: as fast as loopback goes). */
    bytesPerSecond?: number,
  ): Promise<number>;
}

/** What a device opens: the measured document alone, or everything the app opens with it. */
export type Opens = "document" | "app";

/**
 * The documents the web app keeps open while a room is on screen, beside the room's newest segment
 * (`docName`): the directory of public rooms, the person's own index (unread counts and mentions) and
 * the room document (its members and segment list). The references host documents of the same names,
 * empty, so each device costs them the same number of documents and subscriptions.
 */
function appDocuments(docName: string, person: string): string[] {
  return [DIRECTORY_DOC, userDocName(person), roomOf(docName)];
}

/** The room document of a segment (the references host an empty one by a name of the same kind). */
export function roomOf(docName: string): string {
  const ref = parseDocName(docName);
  return ref && ref.kind === "segment" ? roomDocName(ref.roomId) : `${docName}:room`;
}

/**
 * Frames every device of this process has received, whatever the server: the fan-out a server causes
 * per message, counted the same way for all of them.
 */
export const received = {
  frames: 0,
  byKind: new Map<string, number>(),
  bytesByKind: new Map<string, number>(),
};

/** Counts a frame by its Hocuspocus message type (for looking into where a server's frames go). */
function countFrame(data: unknown) {
  received.frames++;
  if (!process.env.BENCH_FRAME_KINDS) return;
  try {
    const decoder = decoding.createDecoder(new Uint8Array(data as Buffer));
    const name = decoding.readVarString(decoder);
    const type = decoding.readVarUint(decoder);
    const sub = type === 0 || type === 4 ? `/${decoding.readVarUint(decoder)}` : "";
    // A message address is the document's name, followed by the provider's session with sessionAwareness.
    const kind = /^room:[^/]+\/\d/.test(name)
      ? "segment"
      : (/^(room|user|directory)/.exec(name)?.[1] ?? "other");
    const key = `${kind} ${type}${sub}`;
    received.byKind.set(key, (received.byKind.get(key) ?? 0) + 1);
    const bytes = (data as Buffer).byteLength;
    received.bytesByKind.set(key, (received.bytesByKind.get(key) ?? 0) + bytes);
  } catch {}
}

const SYNC_TIMEOUT_MS = 30_000;

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} timed out`)), SYNC_TIMEOUT_MS).unref(),
    ),
  ]);
}

/** Sending and hearing of messages through a segment document (shared by both Yjs clients). */
function segmentMessaging(doc: Y.Doc, author: string) {
  const list = doc.getArray(ROOTS.segment.messages);
  return {
    send(text: string) {
      const message = createMessage(author, text);
      list.insert(list.length, [message]);
      return message.id;
    },
    onMessage(listener: (id: string) => void) {
      list.observe((event) => {
        // The device's own sends are local transactions: only what the server brought counts.
        if (event.transaction.local) return;
        for (const delta of event.changes.delta)
          for (const value of (delta.insert as unknown[] | undefined) ?? [])
            if (isMessageRecord(value)) listener(value.id);
      });
    },
  };
}

function hocuspocusDevice(
  url: string,
  docName: string,
  author: string,
  headers: Record<string, string>,
  alsoOpen: readonly string[] = [],
) {
  class HeaderWebSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers });
      this.on("message", countFrame);
    }
  }
  const doc = new Y.Doc();
  // One socket per device, every document multiplexed on it, as the app does. A reconnect (the
  // reconnect scenario) starts at once, as a device's does when its network comes back.
  const socket = new HocuspocusProviderWebsocket({
    url,
    WebSocketPolyfill: HeaderWebSocket,
    initialDelay: 0,
  });
  const providers: HocuspocusProvider[] = [];
  const open = (name: string, document: Y.Doc) =>
    withTimeout(
      new Promise<HocuspocusProvider>((resolve, reject) => {
        // The directory's presence paced as the app paces it (model/presencePace.ts), on every server.
        const awareness = new Awareness(document);
        if (name === DIRECTORY_DOC) paceAwareness(awareness, DIRECTORY_PRESENCE_PACE, removeAwarenessStates);
        const provider: HocuspocusProvider = new HocuspocusProvider({
          websocketProvider: socket,
          name,
          document,
          awareness,
          token: "bench",
          sessionAwareness: true,
          onSynced: () => resolve(provider),
          onAuthenticationFailed: ({ reason }) => reject(new Error(`refused ${name}: ${reason}`)),
        });
        providers.push(provider);
        provider.attach();
      }),
      `device sync on ${name}`,
    );
  const allSynced = () =>
    Promise.all(
      providers.map((provider) =>
        provider.isSynced
          ? undefined
          : withTimeout(
              new Promise<void>((resolve) => {
                const synced = () => {
                  provider.off("synced", synced);
                  resolve();
                };
                provider.on("synced", synced);
              }),
              `device resync on ${provider.configuration.name}`,
            ),
      ),
    );
  return (async (): Promise<BenchDevice> => {
    // The app opens its index and the directory first, then the room and its segment.
    await Promise.all([...alsoOpen.map((name) => open(name, new Y.Doc())), open(docName, doc)]);
    return {
      doc,
      author,
      ...segmentMessaging(doc, author),
      async open(name) {
        const extra = new Y.Doc();
        await open(name, extra);
        return extra;
      },
      async disconnect() {
        if (socket.status === "disconnected") return;
        const closed = new Promise<void>((resolve) => {
          const done = () => {
            socket.off("disconnect", done);
            resolve();
          };
          socket.on("disconnect", done);
        });
        socket.disconnect();
        await closed;
      },
      async reconnect() {
        void socket.connect();
        await allSynced();
      },
      destroy() {
        for (const provider of providers) provider.destroy();
        socket.destroy();
      },
    };
  })();
}

/**
 * This project's server, with its real accounts, rooms and access checks. `env` says where it stores
 * (DATABASE_URL for Postgres, DATA_DIR for PGlite).
 */
export async function ourServer(env: NodeJS.ProcessEnv, name = "this server"): Promise<Target> {
  const port = await freePort();
  const statsFile =
    process.env.BENCH_SQL_KINDS && !env.DATABASE_URL ? join(tmpdir(), `bench-statements-${port}.json`) : null;
  // /metrics answers only the operator's token (SECURITY.md); the bench is the operator here.
  const metricsToken = randomBytes(24).toString("base64url");
  const start = () =>
    startProcess(
      ["../apps/sync/src/main.ts"],
      port,
      // One account sends 100,000 messages in seconds here: rate limits are for people (SECURITY.md).
      {
        ...env,
        PORT: String(port),
        HOST: "127.0.0.1",
        LOG_LEVEL: "error",
        RATE_LIMITS: "off",
        METRICS_TOKEN: metricsToken,
        ...(statsFile && { PGLITE_STATEMENT_STATS: statsFile }),
      },
      () => portAnswers(port, "/healthz"),
    );
  const base = `http://127.0.0.1:${port}`;
  // Devices share 50 accounts (several devices per person), as a team would. Devices connect
  // concurrently, so each slot's sign-up is made once and shared as a promise.
  const accounts = new Map<number, Promise<{ id: string; username: string; cookie: string }>>();
  /** Which set of people prepareRooms made last (their usernames differ from every earlier set's). */
  let generation = 0;
  const signUp = async (slot: number) => {
    const username = `bench${Date.now().toString(36)}g${generation}s${slot}`;
    const response = await fetch(`${base}/api/signup`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: base },
      body: JSON.stringify({ username, password: "benchmark password" }),
    });
    const body = (await response.json()) as { user?: { id: string }; error?: string };
    if (!response.ok || !body.user) throw new Error(`sign-up failed (${response.status}): ${body.error}`);
    return { id: body.user.id, username, cookie: response.headers.get("set-cookie")!.split(";")[0]! };
  };
  const account = (index: number, people = DEFAULT_PEOPLE) => {
    const slot = index % people;
    let existing = accounts.get(slot);
    if (!existing) {
      existing = signUp(slot);
      accounts.set(slot, existing);
    }
    return existing;
  };
  const target: Target = {
    name,
    server: await start(),
    postgresPort: env.DATABASE_URL ? Number(new URL(env.DATABASE_URL).port || 5432) : undefined,
    async prepareRooms(count, people = DEFAULT_PEOPLE) {
      // New people for every set of rooms: reused through a whole run, the same 50 accounts ended up
      // in over a thousand rooms each (every scenario's, every round's), and each join storm synced
      // indexes no person has (11.8 s instead of 2.1 s on PGlite for the same 500 devices).
      accounts.clear();
      generation++;
      // Every account is made before any device is timed: "all devices synced" measures connecting,
      // not 50 argon2id sign-ups.
      // Four at a time: a sign-up's password hash takes most of a core.
      let nextSlot = 0;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (nextSlot < people) await account(nextSlot++, people);
        }),
      );
      const owner = await account(0);
      const names: string[] = [];
      for (let i = 0; i < count; i++) {
        const response = await fetch(`${base}/api/rooms`, {
          method: "POST",
          headers: { "content-type": "application/json", cookie: owner.cookie, origin: base },
          body: JSON.stringify({
            name: `bench ${Date.now().toString(36)} ${Math.random().toString(36).slice(2, 8)}`,
          }),
        });
        const body = (await response.json()) as { room: { id: string } };
        names.push(`room:${body.room.id}/0`);
      }
      return names;
    },
    async addMembers(docName, indexes, people) {
      // The room's creator (prepareRooms) adds the others, as "Add people" does.
      const owner = await account(0);
      const roomId = roomIdOf(docName);
      const usernames = new Set<string>();
      for (const index of indexes) usernames.add((await account(index, people)).username);
      usernames.delete(owner.username);
      for (const username of usernames) {
        const response = await fetch(`${base}/api/rooms/${roomId}/members`, {
          method: "POST",
          headers: { "content-type": "application/json", cookie: owner.cookie, origin: base },
          body: JSON.stringify({ username }),
        });
        // 409: already in (a room's plan can name a person twice).
        if (!response.ok && response.status !== 409)
          throw new Error(`adding ${username} failed (${response.status}): ${await response.text()}`);
      }
    },
    async connect(docName, index, opens = "document", people) {
      const { id, cookie } = await account(index, people);
      return hocuspocusDevice(
        `ws://127.0.0.1:${port}/sync?schema=${SCHEMA_VERSION}`,
        docName,
        id,
        { cookie, origin: base },
        opens === "app" ? appDocuments(docName, id) : [],
      );
    },
    async upload(docName, index, name, bytes, bytesPerSecond) {
      const { cookie } = await account(index);
      const roomId = roomIdOf(docName);
      const response = await fetch(`${base}/api/rooms/${roomId}/files/${newAttachmentId()}`, {
        method: "PUT",
        headers: {
          cookie,
          origin: base,
          [FILE_NAME_HEADER]: encodeURIComponent(name),
          "content-length": String(bytes.length),
        },
        body: bytesPerSecond ? paced(bytes, bytesPerSecond) : bytes,
        ...(bytesPerSecond ? { duplex: "half" } : {}),
      } as RequestInit);
      await response.arrayBuffer();
      return response.status;
    },
    async restart() {
      await target.server.stop();
      target.server = await start();
    },
    async loadedDocuments() {
      return (await target.counters!()).get("chat_loaded_documents") ?? Number.NaN;
    },
    statementStats() {
      if (!statsFile) return null;
      try {
        return new Map(
          Object.entries(
            JSON.parse(readFileSync(statsFile, "utf8")) as Record<string, { count: number; ms: number }>,
          ),
        );
      } catch {
        return new Map();
      }
    },
    async counters() {
      const response = await fetch(`${base}/metrics`, {
        headers: { authorization: `Bearer ${metricsToken}` },
      });
      if (!response.ok) throw new Error(`/metrics answered ${response.status}`);
      const counters = new Map<string, number>();
      for (const line of (await response.text()).split("\n")) {
        const match = /^(chat_[^ ]+) ([0-9.e+-]+)$/.exec(line);
        if (match) counters.set(match[1]!, Number(match[2]));
      }
      return counters;
    },
  };
  return target;
}

/**
 * How many people the devices belong to, unless a scenario says: device `i` is person `i % people`'s,
 * so several devices share a person (and their index document), as a team's do.
 */
export const DEFAULT_PEOPLE = 50;

/** The room of a segment's document name (`room:<id>/<n>`), as prepareRooms names them. */
function roomIdOf(docName: string): string {
  return parseDocName(docName)?.kind === "segment" ? docName.slice(5, docName.lastIndexOf("/")) : "";
}

/** Hocuspocus 4 with no extensions: what the framework costs by itself. */
export async function bareHocuspocus(): Promise<Target> {
  const port = await freePort();
  return {
    name: "bare Hocuspocus",
    server: await startProcess(["src/servers/bareHocuspocus.ts", String(port)], port, {}, () =>
      portAnswers(port),
    ),
    prepareRooms: async (count) =>
      Array.from({ length: count }, (_, i) => `room-${i}-${Math.random().toString(36).slice(2)}`),
    connect: (docName, index, opens = "document", people = DEFAULT_PEOPLE) =>
      hocuspocusDevice(
        `ws://127.0.0.1:${port}`,
        docName,
        `device${index}`,
        {},
        // Devices share people as on our server.
        opens === "app" ? appDocuments(docName, `person${index % people}`) : [],
      ),
  };
}

/** `bytes` as a stream of 64 KiB chunks sent at `bytesPerSecond`. */
function paced(bytes: Uint8Array, bytesPerSecond: number): ReadableStream<Uint8Array> {
  const chunk = 64 * 1024;
  const started = performance.now();
  let offset = 0;
  return new ReadableStream({
    async pull(controller) {
      if (offset >= bytes.length) return controller.close();
      const due = started + (offset / bytesPerSecond) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      controller.enqueue(bytes.subarray(offset, offset + chunk));
      offset += chunk;
    },
  });
}

class CountingWebSocket extends WebSocket {
  constructor(address: string, protocols?: string | string[]) {
    super(address, protocols);
    this.on("message", () => received.frames++);
  }
}

/** The y-websocket reference server and client. */
export async function yWebsocket(): Promise<Target> {
  const port = await freePort();
  return {
    name: "y-websocket",
    server: await startProcess(["src/servers/yWebsocket.ts", String(port)], port, {}, () =>
      portAnswers(port),
    ),
    prepareRooms: async (count) =>
      Array.from({ length: count }, (_, i) => `room-${i}-${Math.random().toString(36).slice(2)}`),
    async connect(docName, index, opens = "document", people = DEFAULT_PEOPLE) {
      // The y-websocket client has no multiplexing: each document is a socket of its own.
      const providers: WebsocketProvider[] = [];
      const synced = (provider: WebsocketProvider) =>
        withTimeout(
          new Promise<WebsocketProvider>((resolve) => {
            if (provider.synced) return resolve(provider);
            const done = (isSynced: boolean) => {
              if (!isSynced) return;
              provider.off("sync", done);
              resolve(provider);
            };
            provider.on("sync", done);
          }),
          `device sync on ${provider.roomname}`,
        );
      const sync = (name: string, doc: Y.Doc) => {
        // disableBc: in Node 22 several clients in one process would otherwise talk over BroadcastChannel.
        const provider = new WebsocketProvider(`ws://127.0.0.1:${port}`, name, doc, {
          WebSocketPolyfill: CountingWebSocket as never,
          disableBc: true,
        });
        providers.push(provider);
        return synced(provider);
      };
      const doc = new Y.Doc();
      const author = `device${index}`;
      const also = opens === "app" ? appDocuments(docName, `person${index % people}`) : [];
      await Promise.all([...also.map((name) => sync(name, new Y.Doc())), sync(docName, doc)]);
      return {
        doc,
        author,
        ...segmentMessaging(doc, author),
        async open(name) {
          const extra = new Y.Doc();
          await sync(name, extra);
          return extra;
        },
        async disconnect() {
          await Promise.all(
            providers.map(async (provider) => {
              const socket = provider.ws;
              provider.disconnect();
              if (socket && socket.readyState !== WebSocket.CLOSED)
                await new Promise<void>((resolve) => socket.addEventListener("close", () => resolve()));
            }),
          );
        },
        async reconnect() {
          for (const provider of providers) provider.connect();
          await Promise.all(providers.map(synced));
        },
        destroy: () => {
          for (const provider of providers) provider.destroy();
        },
      };
    },
  };
}
