import { randomBytes } from "node:crypto";
import { SCHEMA_VERSION } from "@chat/model";
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
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
  /** Connects device number `index` to a document; resolves once it is synced. */
  connect(docName: string, index: number): Promise<BenchDevice>;
  /** Restarts the server process (for cold loads); only targets that store anything can. */
  restart?(): Promise<void>;
  loadedDocuments?(): Promise<number>;
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

function hocuspocusDevice(url: string, docName: string, author: string, headers: Record<string, string>) {
  class HeaderWebSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  }
  const doc = new Y.Doc();
  const socket = new HocuspocusProviderWebsocket({ url, WebSocketPolyfill: HeaderWebSocket });
  return withTimeout(
    new Promise<BenchDevice>((resolve, reject) => {
      const provider = new HocuspocusProvider({
        websocketProvider: socket,
        name: docName,
        document: doc,
        token: "bench",
        sessionAwareness: true,
        onSynced: () =>
          resolve({
            doc,
            author,
            destroy() {
              provider.destroy();
              socket.destroy();
            },
          }),
        onAuthenticationFailed: ({ reason }) => reject(new Error(`refused: ${reason}`)),
      });
      provider.attach();
    }),
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
    async connect(docName, index) {
      const { id, cookie } = await account(index);
      return hocuspocusDevice(`ws://127.0.0.1:${port}/sync?schema=${SCHEMA_VERSION}`, docName, id, {
        cookie,
        origin: base,
      });
    },
    async restart() {
      await target.server.stop();
      target.server = await start();
    },
    async loadedDocuments() {
      const response = await fetch(`${base}/metrics`, {
        headers: { authorization: `Bearer ${metricsToken}` },
      });
      if (!response.ok) throw new Error(`/metrics answered ${response.status}`);
      const text = await response.text();
      return Number(/^chat_loaded_documents (\d+)/m.exec(text)?.[1] ?? Number.NaN);
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
    connect: (docName, index) => hocuspocusDevice(`ws://127.0.0.1:${port}`, docName, `device${index}`, {}),
  };
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
    connect(docName, index) {
      const doc = new Y.Doc();
      // disableBc: in Node 22 several clients in one process would otherwise talk over BroadcastChannel.
      const provider = new WebsocketProvider(`ws://127.0.0.1:${port}`, docName, doc, {
        WebSocketPolyfill: WebSocket as never,
        disableBc: true,
      });
      return withTimeout(
        new Promise<BenchDevice>((resolve) => {
          const done = (synced: boolean) => {
            if (!synced) return;
            provider.off("sync", done);
            resolve({ doc, author: `device${index}`, destroy: () => provider.destroy() });
          };
          provider.on("sync", done);
        }),
        `device sync on ${docName}`,
      );
    },
  };
}
