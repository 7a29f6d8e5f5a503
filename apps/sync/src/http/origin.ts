import type { IncomingMessage } from "node:http";

/**
 * Cross-site requests must not act with a person's cookie: a request that carries an Origin must come
 * from this server's own origin or an allowed one. (Browsers always send Origin on WebSocket upgrades
 * and on cross-site POSTs.)
 */
export function originAllowed(request: IncomingMessage, allowed: readonly string[]): boolean {
  const origin = request.headers.origin;
  if (!origin) return true;
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}
