import type { IncomingMessage } from "node:http";

/**
 * The address a request came from, for per-address limits. Behind a reverse proxy (TRUST_PROXY=true)
 * that is the last X-Forwarded-For entry, the one our own proxy appended; entries before it are
 * whatever the client claimed and are never trusted.
 */
export function clientAddress(request: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const header = request.headers["x-forwarded-for"];
    const value = Array.isArray(header) ? header.join(",") : header;
    const last = value?.split(",").at(-1)?.trim();
    if (last) return last;
  }
  return request.socket.remoteAddress ?? "unknown";
}
