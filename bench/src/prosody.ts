import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { freePort, portAnswers, startProcess } from "./processes.ts";
import type { DeliveryTarget, MessagingDevice } from "./targets.ts";

/**
 * Prosody (https://prosody.im), an XMPP server a small company might run for chat instead, as a third
 * reference: its multi-user chat (MUC) rooms, over XMPP over WebSocket (RFC 7395). It is used when the
 * Debian `prosody` package is installed (`apt-get install prosody`); the bench never installs it. It
 * runs on loopback with a throwaway configuration in a temporary folder: anonymous sign-in (SASL
 * ANONYMOUS), no TLS, rooms in memory, no history on join, no rate limits (our server runs with
 * RATE_LIMITS=off too).
 */
const PROSODY = "/usr/bin/prosody";

export function prosodyInstalled(): boolean {
  return existsSync(PROSODY);
}

const DOMAIN = "localhost";
const MUC = `conference.${DOMAIN}`;

function configuration(dir: string, httpPort: number, c2sPort: number): string {
  return `-- Written by the benchmark (bench/src/prosody.ts); deleted when it ends.
pidfile = "${dir}/prosody.pid"
data_path = "${dir}"
certificates = "${dir}/certs"
daemonize = false
run_as_root = true
log = { { levels = { min = "warn" }, to = "file", filename = "${dir}/prosody.log" } }
interfaces = { "127.0.0.1" }
c2s_ports = { ${c2sPort} }
s2s_ports = { }
http_ports = { ${httpPort} }
http_interfaces = { "127.0.0.1" }
https_ports = { }
modules_enabled = { "saslauth", "websocket", "disco", "ping" }
modules_disabled = { "s2s", "offline" }
consider_websocket_secure = true
cross_domain_websocket = true
c2s_require_encryption = false
authentication = "anonymous"
storage = "memory"
statistics = nil

VirtualHost "${DOMAIN}"

Component "${MUC}" "muc"
  muc_room_locking = false
  restrict_room_creation = false
  max_history_messages = 0
`;
}

/** Prosody with a MUC component, each device an XMPP-over-WebSocket client in one room. */
export async function prosody(): Promise<DeliveryTarget> {
  const httpPort = await freePort();
  const c2sPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "chat-bench-prosody-"));
  mkdirSync(join(dir, "certs"));
  const config = join(dir, "prosody.cfg.lua");
  writeFileSync(config, configuration(dir, httpPort, c2sPort));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  // The process is stopped by the bench whatever happens (processes.ts); its folder goes with it.
  process.once("exit", removeDir);
  const server = await startProcess(
    ["--config", config, "-F"],
    httpPort,
    {},
    () => portAnswers(httpPort, "/xmpp-websocket"),
    PROSODY,
  );
  const stop = server.stop;
  server.stop = async () => {
    await stop();
    removeDir();
  };
  const url = `ws://127.0.0.1:${httpPort}/xmpp-websocket`;
  return {
    name: "Prosody (XMPP MUC)",
    server,
    prepareRooms: async (count) =>
      Array.from({ length: count }, (_, i) => `bench-${i}-${randomBytes(4).toString("hex")}`),
    connect: (room, index) => xmppDevice(url, room, `d${index}`),
  };
}

/** An attribute of a stanza's top element (Prosody quotes with ', clients often with "). */
function attribute(frame: string, name: string): string | undefined {
  const top = frame.slice(0, frame.indexOf(">"));
  return new RegExp(`\\s${name}=(['"])([^'"]*)\\1`).exec(top)?.[2];
}

const FRAMING = "urn:ietf:params:xml:ns:xmpp-framing";
const CONNECT_TIMEOUT_MS = 30_000;

/**
 * A minimal XMPP client: open the stream, sign in anonymously, bind a resource, join the room with a
 * presence, then send and receive groupchat messages. RFC 7395 puts one whole stanza in each
 * WebSocket message, so a frame is read with a pattern, not a streaming XML parser. A message's id
 * is the first word of its body.
 */
async function xmppDevice(url: string, room: string, nick: string): Promise<MessagingDevice> {
  const roomJid = `${room}@${MUC}`;
  const listeners: Array<(id: string) => void> = [];
  let socket: WebSocket | null = null;
  let joins = 0;

  const session = async () => {
    // A fresh nickname on every join: the room may not yet have seen the previous socket go.
    const me = `${nick}-${joins++}`;
    const ws = new WebSocket(url, "xmpp");
    const waiters: Array<{ test: (frame: string) => boolean; resolve: (frame: string) => void }> = [];
    ws.on("message", (data) => {
      const frame = data.toString();
      if (frame.startsWith("<message") && attribute(frame, "type") === "groupchat") {
        // The room reflects a message to its sender too: only others' count.
        if (attribute(frame, "from") === `${roomJid}/${me}`) return;
        const id = /<body>(\S+)/.exec(frame)?.[1];
        if (id) for (const listener of listeners) listener(id);
        return;
      }
      const at = waiters.findIndex((w) => w.test(frame));
      if (at >= 0) waiters.splice(at, 1)[0]!.resolve(frame);
    });
    const next = (test: (frame: string) => boolean) =>
      new Promise<string>((resolve) => waiters.push({ test, resolve }));
    const failed = new Promise<never>((_, reject) => {
      ws.once("error", reject);
      ws.once("close", () => reject(new Error(`XMPP socket closed while ${nick} was joining ${room}`)));
    });
    failed.catch(() => {});
    const step = <T>(promise: Promise<T>) => Promise.race([promise, failed]);
    const open = `<open xmlns="${FRAMING}" to="${DOMAIN}" version="1.0"/>`;
    await step(new Promise((resolve) => ws.once("open", resolve)));
    ws.send(open);
    await step(next((f) => f.includes("<mechanisms") && f.includes("ANONYMOUS")));
    ws.send('<auth xmlns="urn:ietf:params:xml:ns:xmpp-sasl" mechanism="ANONYMOUS"/>');
    const auth = await step(next((f) => f.startsWith("<success") || f.startsWith("<failure")));
    if (auth.startsWith("<failure")) throw new Error(`Prosody refused anonymous sign-in: ${auth}`);
    ws.send(open);
    await step(next((f) => f.includes("urn:ietf:params:xml:ns:xmpp-bind")));
    ws.send(
      '<iq xmlns="jabber:client" type="set" id="bind"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"/></iq>',
    );
    await step(next((f) => f.startsWith("<iq") && attribute(f, "id") === "bind"));
    // Joined once the room sends our own presence back (status 110), after everyone else's.
    ws.send(
      `<presence xmlns="jabber:client" to="${roomJid}/${me}"><x xmlns="http://jabber.org/protocol/muc"><history maxstanzas="0"/></x></presence>`,
    );
    const joined = await step(
      next((f) => f.startsWith("<presence") && attribute(f, "from") === `${roomJid}/${me}`),
    );
    if (attribute(joined, "type") === "error") throw new Error(`Prosody refused ${me} in ${room}: ${joined}`);
    ws.on("error", () => {});
    socket = ws;
  };
  const connect = () =>
    Promise.race([
      session(),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`XMPP join of ${room} timed out`)), CONNECT_TIMEOUT_MS).unref(),
      ),
    ]);
  await connect();
  let sent = 0;
  return {
    author: nick,
    send(text) {
      const id = `${nick}.${sent++}.${randomBytes(3).toString("hex")}`;
      socket?.send(
        `<message xmlns="jabber:client" to="${roomJid}" type="groupchat" id="${id}"><body>${id} ${text}</body></message>`,
      );
      return id;
    },
    onMessage(listener) {
      listeners.push(listener);
    },
    async disconnect() {
      const ws = socket;
      socket = null;
      if (!ws || ws.readyState === WebSocket.CLOSED) return;
      const closed = new Promise((resolve) => ws.once("close", resolve));
      ws.close();
      await closed;
    },
    reconnect: connect,
    destroy() {
      socket?.close();
      socket = null;
    },
  };
}
