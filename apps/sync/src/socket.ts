import type { Server as HttpServer, IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { CLOSE_CODES, closeReason } from "@chat/model";
import type { Hocuspocus } from "@hocuspocus/server";
import { type RawData, WebSocket, WebSocketServer } from "ws";
import { readCookie } from "./auth/cookies.ts";
import { findSession, SESSION_COOKIE } from "./auth/sessions.ts";
import type { ConnectionContext } from "./context.ts";
import { type Database, DatabaseUnavailable } from "./db/database.ts";
import { originAllowed } from "./http/origin.ts";
import { securityHeaders } from "./http/securityHeaders.ts";
import type { LimitPolicy } from "./limits/policy.ts";
import { TokenBucket } from "./limits/tokenBucket.ts";
import type { Logger } from "./log.ts";
import type { Metrics } from "./metrics.ts";

/** Largest WebSocket frame accepted: room for a device's offline backlog in one sync step. */
export const MAX_FRAME_BYTES = 8 * 1024 * 1024;
/** Document names are short; with a provider session id appended, well under this. */
const MAX_ADDRESS_BYTES = 512;

/**
 * Every Hocuspocus frame starts with its address (the document name as a varString) and a message
 * type. Checking that here gives a malformed frame one clear answer (4400) before any parser sees it.
 */
export function hasFrameHeader(bytes: Uint8Array): boolean {
  let length = 0;
  let at = 0;
  for (let shift = 1; ; at++, shift *= 128) {
    if (at >= bytes.length || at > 3) return false;
    length += (bytes[at]! & 0x7f) * shift;
    if (bytes[at]! < 0x80) break;
  }
  if (length > MAX_ADDRESS_BYTES || at + 1 + length >= bytes.length) return false;
  try {
    utf8.decode(bytes.subarray(at + 1, at + 1 + length));
    return true;
  } catch {
    return false;
  }
}
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The WebSocket endpoint `/sync`. The upgrade is where identity is settled: Origin must be ours (or
 * allowed) and the session cookie valid, else the request is refused before any WebSocket exists.
 * The person then rides along as the connection's context into every Hocuspocus hook.
 */
export function attachSync(options: {
  server: HttpServer;
  hocuspocus: Hocuspocus;
  db: Database;
  log: Logger;
  allowedOrigins: readonly string[];
  limits: LimitPolicy["socket"];
  metrics: Pick<Metrics, "frameReceived" | "frameSent" | "socketRefused">;
  /** Behind HTTPS (SECURE_COOKIES): refusals carry Strict-Transport-Security too. */
  secure: boolean;
  /** Told of each person's activity (their socket opening, each frame): "last activity" in People. */
  lastSeen?: { touch(userId: string): void };
}) {
  const { server, hocuspocus, db, log, allowedOrigins, limits, metrics, secure, lastSeen } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  const socketsBySession = new Map<string, Set<WebSocket>>();
  const socketsPerAccount = new Map<string, number>();

  /** A bare HTTP answer to an upgrade not taken, with the headers every other response carries. */
  const refuse = (socket: Duplex, request: IncomingMessage, status: number, text: string) => {
    const headers = Object.entries(securityHeaders(request, secure)).map(
      ([name, value]) => `${name}: ${value}\r\n`,
    );
    socket.end(
      `HTTP/1.1 ${status} ${text}\r\n${headers.join("")}Connection: close\r\nContent-Length: 0\r\n\r\n`,
    );
  };

  server.on("upgrade", async (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => socket.destroy());
    // The raw request target, not parsed as a URL: "//" and the like are not URLs at all.
    if ((request.url ?? "/").split("?")[0] !== "/sync") return refuse(socket, request, 404, "Not Found");
    if (!originAllowed(request, allowedOrigins)) return refuse(socket, request, 403, "Forbidden");
    let context: ConnectionContext;
    try {
      const session = await findSession(db, readCookie(request, SESSION_COOKIE));
      if (!session) return refuse(socket, request, 401, "Unauthorized");
      // Each tab holds one socket; thousands from one account are a script holding memory hostage.
      if ((socketsPerAccount.get(session.user.id) ?? 0) >= limits.perAccount) {
        metrics.socketRefused(429);
        return refuse(socket, request, 429, "Too Many Requests");
      }
      context = {
        user: session.user,
        sessionTokenHash: session.tokenHash,
        retryLater: () => {},
        rateLimited: () => {},
      };
    } catch (error) {
      // As for the API (http/api.ts): only an unreachable database is an outage; anything else is a bug.
      if (error instanceof DatabaseUnavailable) {
        log.warn({ error: error.message }, "cannot check a WebSocket session: the database is unreachable");
        return refuse(socket, request, 503, "Service Unavailable");
      }
      log.error(
        { error: error instanceof Error ? error.stack : String(error) },
        "cannot check a WebSocket session",
      );
      return refuse(socket, request, 500, "Internal Server Error");
    }
    wss.handleUpgrade(request, socket, head, (ws) => accept(ws, request, context));
  });

  function accept(ws: WebSocket, request: IncomingMessage, context: ConnectionContext) {
    context.retryLater = (reason) => {
      if (ws.readyState === WebSocket.OPEN) ws.close(CLOSE_CODES.retryLater, reason);
    };
    context.rateLimited = (reason) => {
      if (ws.readyState === WebSocket.OPEN)
        ws.close(CLOSE_CODES.rateLimited, closeReason("rate-limited", reason));
    };
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers))
      if (typeof value === "string") headers.set(name, value);
    // Hocuspocus reads the query string from this URL; the Host header is whatever the client sent
    // (it need not be a host name at all), so it stays out of the URL.
    const fetchRequest = new Request(`http://localhost${request.url}`, { headers });
    // Every frame Hocuspocus sends this device is counted (the fan-out behind each message).
    const send = ws.send.bind(ws);
    ws.send = ((...args: Parameters<WebSocket["send"]>) => {
      metrics.frameSent();
      return send(...args);
    }) as WebSocket["send"];
    const connection = hocuspocus.handleConnection(ws, fetchRequest, context);
    const sockets = socketsBySession.get(context.sessionTokenHash) ?? new Set();
    sockets.add(ws);
    socketsBySession.set(context.sessionTokenHash, sockets);
    const userId = context.user.id;
    socketsPerAccount.set(userId, (socketsPerAccount.get(userId) ?? 0) + 1);
    lastSeen?.touch(userId);

    // Per connection: a flood of frames or bytes closes this socket (4429); the client reconnects
    // after its back-off, and everyone else is served meanwhile.
    const frames = new TokenBucket(limits.framesPerSecond, limits.frameBurst);
    const volume = new TokenBucket(limits.bytesPerSecond, limits.byteBurst);
    ws.on("message", (data: RawData) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (!frames.take(1) || !volume.take(bytes.byteLength)) {
        log.warn({ user: context.user.id }, "socket over its rate limit: closing it");
        context.rateLimited("too many messages on this connection, slow down");
        metrics.socketRefused(CLOSE_CODES.rateLimited);
        return;
      }
      const message = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      if (!hasFrameHeader(message)) {
        log.warn({ user: context.user.id }, "malformed frame: closing the socket");
        ws.close(CLOSE_CODES.malformed, "malformed message");
        metrics.socketRefused(CLOSE_CODES.malformed);
        return;
      }
      metrics.frameReceived();
      lastSeen?.touch(userId);
      try {
        connection.handleMessage(message);
      } catch (error) {
        // A frame that is not a Hocuspocus message: drop this socket, keep serving everyone else.
        log.warn({ user: context.user.id, error: String(error) }, "malformed frame: closing the socket");
        ws.close(CLOSE_CODES.malformed, "malformed message");
      }
    });
    ws.on("close", (code, reason) => {
      sockets.delete(ws);
      if (sockets.size === 0) socketsBySession.delete(context.sessionTokenHash);
      const open = (socketsPerAccount.get(userId) ?? 1) - 1;
      if (open > 0) socketsPerAccount.set(userId, open);
      else socketsPerAccount.delete(userId);
      connection.handleClose({ code, reason: reason.toString() });
    });
    ws.on("error", (error) => log.warn({ user: context.user.id, error: error.message }, "socket error"));
  }

  return {
    /**
     * Sign-out, password change, deactivation: the sessions' open sockets on this instance close at
     * once (code 4401, with `reason`: "signed out", or "account deactivated").
     */
    closeSessions(tokenHashes: readonly string[], reason = "signed out") {
      for (const tokenHash of tokenHashes)
        for (const ws of socketsBySession.get(tokenHash) ?? []) ws.close(CLOSE_CODES.signedOut, reason);
    },
    close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
    get socketCount() {
      return wss.clients.size;
    },
  };
}

export type SyncEndpoint = ReturnType<typeof attachSync>;
export { WebSocket };
