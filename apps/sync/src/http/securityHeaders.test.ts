import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { securityHeaders } from "./securityHeaders.ts";

const request = (host?: string) => ({ headers: { host } }) as unknown as IncomingMessage;
const directives = (csp: string) =>
  new Map(csp.split("; ").map((d) => [d.split(" ")[0]!, d.split(" ").slice(1)] as const));

describe("security headers", () => {
  it("a strict CSP that still allows the app's own WebSocket and service worker", () => {
    const csp = directives(securityHeaders(request("chat.example.com"), true)["content-security-policy"]!);
    expect(csp.get("script-src")).toEqual(["'self'"]); // no inline script, no eval
    expect(csp.get("connect-src")).toEqual(["'self'", "wss://chat.example.com"]); // only our socket
    expect(csp.get("worker-src")).toEqual(["'self'"]); // /sw.js
    expect(csp.get("manifest-src")).toEqual(["'self'"]);
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
    expect(csp.get("object-src")).toEqual(["'none'"]);
    expect(csp.get("form-action")).toEqual(["'self'"]);
    // Attached files and composer previews; never an image from another host (issue 19).
    expect(csp.get("img-src")).toEqual(["'self'", "data:", "blob:"]);
    const plain = directives(securityHeaders(request("localhost:8080"), false)["content-security-policy"]!);
    expect(plain.get("connect-src")).toEqual(["'self'", "ws://localhost:8080"]);
  });

  it("a Host header cannot inject directives", () => {
    const csp = securityHeaders(request("evil.example; script-src *"), false)["content-security-policy"]!;
    expect(csp).not.toContain("evil");
    expect(directives(csp).get("connect-src")).toEqual(["'self'"]);
  });

  it("HSTS only behind HTTPS; framing, sniffing and referrers shut off", () => {
    expect(securityHeaders(request("a"), true)["strict-transport-security"]).toBe("max-age=31536000");
    expect(securityHeaders(request("a"), false)["strict-transport-security"]).toBeUndefined();
    expect(securityHeaders(request("a"), false)).toMatchObject({
      "x-frame-options": "DENY",
      "x-content-type-options": "nosniff",
      "referrer-policy": "same-origin",
      "cross-origin-opener-policy": "same-origin",
    });
  });
});
