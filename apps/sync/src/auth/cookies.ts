import type { IncomingMessage } from "node:http";

/**
 * The cookie's value, or undefined. A value that is not valid percent-encoding (a cookie mangled by
 * an extension or planted by another site) counts as absent: the person is treated as signed out and
 * can sign in again, which replaces it.
 */
export function readCookie(request: Pick<IncomingMessage, "headers">, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq === -1 || part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {}
  }
  return undefined;
}

export function sessionCookie(name: string, value: string, maxAgeMs: number, secure: boolean): string {
  const parts = [
    `${name}=${encodeURIComponent(value)}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Lax",
    `Max-Age=${Math.floor(maxAgeMs / 1000)}`,
  ];
  if (secure) parts.push("Secure");
  return parts.join("; ");
}

export function clearedCookie(name: string, secure: boolean): string {
  return sessionCookie(name, "", 0, secure);
}
