import { randomBytes } from "node:crypto";
import { DIRECTORY_DOC, parseDocName, roomDocName, SCHEMA_VERSION, userDocName } from "@chat/model";
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import * as decoding from "lib0/decoding";
import WebSocket from "ws";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { freePort, portAnswers, type ServerProcess, startProcess } from "./processes.ts";

/** One connected device: its copy of a room's message document, and who it writes as. */
export interface BenchDevice {
  doc: Y.Doc;
  author: string;
  destroy(): void;
}

/** A server under test and how a device talks to it. */
export interface Target {
  name: string;
  server: ServerProcess;
  /** Creates `count` rooms and returns the name of each room's message document. */
  prepareRooms(count: number): Promise<string[]>;
  /**
   * Connects device number `index` to a document; resolves once it is synced. With `opens: "app"`
   * the device also opens, on the same socket, what the app keeps open beside a room's newest
   * segment: the directory, its person's index document and the room document (see appDocuments).
   */
  connect(docName: string, index: number, opens?: Opens): Promise<BenchDevice>;
  /** Restarts the server process (for cold loads); only targets that store anything can. */
  restart?(): Promise<void>;
  loadedDocuments?(): Promise<number>;
  /** The server's counters from /metrics, by name (labels kept in the name); only our server has them. */
  counters?(): Promise<Map<string, number>>;
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
  const ref = parseDocName(docName);
  const room = ref && ref.kind === "segment" ? roomDocName(ref.roomId) : `${docName}:room`;
  return [DIRECTORY_DOC, userDocName(person), room];
}

/**
 * Frames every device of this process has received, whatever the server: the fan-out a server causes
 * per message, counted the same way for all of them.
 */
export const received = { frames: 0, byKind: new Map<string, number>() };

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
  // One socket per device, every document multiplexed on it, as the app does.
  const socket = new HocuspocusProviderWebsocket({ url, WebSocketPolyfill: HeaderWebSocket });
  const open = (name: string, document: Y.Doc) =>
    new Promise<HocuspocusProvider>((resolve, reject) => {
      const provider: HocuspocusProvider = new HocuspocusProvider({
        websocketProvider: socket,
        name,
        document,
        token: "bench",
        sessionAwareness: true,
        onSynced: () => resolve(provider),
        onAuthenticationFailed: ({ reason }) => reject(new Error(`refused ${name}: ${reason}`)),
      });
      provider.attach();
    });
  return withTimeout(
    (async (): Promise<BenchDevice> => {
      // The app opens its index and the directory first, then the room and its segment.
      const providers = await Promise.all([
        ...alsoOpen.map((name) => open(name, new Y.Doc())),
        open(docName, doc),
      ]);
      return {
        doc,
        author,
        destroy() {
          for (const provider of providers) provider.destroy();
          socket.destroy();
        },
      };
    })(),
    `device sync on ${docName}`,
  );
}

/** This project's server, with its real accounts, rooms and access checks. */
export async function ourServer(env: NodeJS.ProcessEnv): Promise<Target> {
  const port = await freePort();
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
      },
      () => portAnswers(port, "/healthz"),
    );
  const base = `http://127.0.0.1:${port}`;
  // Devices share 50 accounts (several devices per person), as a team would. Devices connect
  // concurrently, so each slot's sign-up is made once and shared as a promise.
  const accounts = new Map<number, Promise<{ id: string; cookie: string }>>();
  const signUp = async (slot: number) => {
    const username = `bench${Date.now().toString(36)}s${slot}`;
    const response = await fetch(`${base}/api/signup`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: base },
      body: JSON.stringify({ username, password: "benchmark password" }),
    });
    const body = (await response.json()) as { user?: { id: string }; error?: string };
    if (!response.ok || !body.user) throw new Error(`sign-up failed (${response.status}): ${body.error}`);
    return { id: body.user.id, cookie: response.headers.get("set-cookie")!.split(";")[0]! };
  };
  const account = (index: number) => {
    const slot = index % 50;
    let existing = accounts.get(slot);
    if (!existing) {
      existing = signUp(slot);
      accounts.set(slot, existing);
    }
    return existing;
  };
  const target: Target = {
    name: "this server",
    server: await start(),
    async prepareRooms(count) {
      // Every account is made before any device is timed: "all devices synced" measures connecting,
      // not 50 argon2id sign-ups.
      for (let slot = 0; slot < 50; slot++) await account(slot);
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
    async connect(docName, index, opens = "document") {
      const { id, cookie } = await account(index);
      return hocuspocusDevice(
        `ws://127.0.0.1:${port}/sync?schema=${SCHEMA_VERSION}`,
        docName,
        id,
        { cookie, origin: base },
        opens === "app" ? appDocuments(docName, id) : [],
      );
    },
    async restart() {
      await target.server.stop();
      target.server = await start();
    },
    async loadedDocuments() {
      return (await target.counters!()).get("chat_loaded_documents") ?? Number.NaN;
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
    connect: (docName, index, opens = "document") =>
      hocuspocusDevice(
        `ws://127.0.0.1:${port}`,
        docName,
        `device${index}`,
        {},
        // Devices share 50 people, as on our server.
        opens === "app" ? appDocuments(docName, `person${index % 50}`) : [],
      ),
  };
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
    async connect(docName, index, opens = "document") {
      // The y-websocket client has no multiplexing: each document is a socket of its own.
      const sync = (name: string, doc: Y.Doc) => {
        // disableBc: in Node 22 several clients in one process would otherwise talk over BroadcastChannel.
        const provider = new WebsocketProvider(`ws://127.0.0.1:${port}`, name, doc, {
          WebSocketPolyfill: CountingWebSocket as never,
          disableBc: true,
        });
        return withTimeout(
          new Promise<WebsocketProvider>((resolve) => {
            const done = (synced: boolean) => {
              if (!synced) return;
              provider.off("sync", done);
              resolve(provider);
            };
            provider.on("sync", done);
          }),
          `device sync on ${name}`,
        );
      };
      const doc = new Y.Doc();
      const also = opens === "app" ? appDocuments(docName, `person${index % 50}`) : [];
      const providers = await Promise.all([
        ...also.map((name) => sync(name, new Y.Doc())),
        sync(docName, doc),
      ]);
      return {
        doc,
        author: `device${index}`,
        destroy: () => {
          for (const provider of providers) provider.destroy();
        },
      };
    },
  };
}
