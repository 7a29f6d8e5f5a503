import type { IncomingMessage } from "node:http";

/**
 * Headers for every response. The Content-Security-Policy allows only the app's own scripts (no
 * inline script, no eval), its own WebSocket (named explicitly, for browsers whose 'self' does not
 * cover ws:/wss:), a service worker and manifest from this origin (/sw.js, /manifest.webmanifest),
 * and images only from here (attached files), data: and blob: (a file chosen in the composer, shown
 * before it is uploaded): an image a message links from elsewhere is never fetched, so no other host
 * learns who read the message and when. Nothing may frame the app, and forms post only here.
 */
export function securityHeaders(request: IncomingMessage, secure: boolean): Record<string, string> {
  const host =
    request.headers.host && /^[\w.-]+(:\d+)?$/.test(request.headers.host) ? request.headers.host : null;
  const socket = host ? ` ${secure ? "wss" : "ws"}://${host}` : "";
  const headers: Record<string, string> = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "content-security-policy": [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data: blob:",
      `connect-src 'self'${socket}`,
      "worker-src 'self'",
      "manifest-src 'self'",
      "object-src 'none'",
      "frame-ancestors 'none'",
      "base-uri 'self'",
      "form-action 'self'",
    ].join("; "),
  };
  // Behind HTTPS (SECURE_COOKIES=true) browsers are told to never use plain HTTP for this host again.
  if (secure) headers["strict-transport-security"] = "max-age=31536000";
  return headers;
}
