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

/**
 * The CSRF check for every state-changing API request (SECURITY.md): Origin must be ours or allowed,
 * and a browser that labels the request cross-site or same-site (a sibling subdomain, which SameSite=Lax
 * cookies do not keep out) through Sec-Fetch-Site is refused unless its Origin is explicitly allowed.
 * Requests without either header come from programs, not from a browser a page could drive.
 */
export function sameSiteRequest(request: IncomingMessage, allowed: readonly string[]): boolean {
  if (!originAllowed(request, allowed)) return false;
  const site = request.headers["sec-fetch-site"];
  if (site === "cross-site" || site === "same-site") {
    const origin = request.headers.origin;
    return origin !== undefined && allowed.includes(origin);
  }
  return true;
}
