import { webcrypto } from "node:crypto";
import { describe, expect, it } from "vitest";
import "./pooledRandomValues.ts";
import * as Y from "yjs";

describe("pooled random values", () => {
  it("fills each request with fresh bytes, never the same ones twice", () => {
    const seen = new Set<string>();
    // Enough draws to wrap the pool several times.
    for (let i = 0; i < 20_000; i++) {
      const value = webcrypto.getRandomValues(new Uint8Array(16));
      const key = Buffer.from(value).toString("hex");
      expect(seen.has(key)).toBe(false);
      seen.add(key);
    }
  });

  it("fills every element of 16- and 32-bit arrays, at an offset into their buffer too", () => {
    const buffer = new ArrayBuffer(64);
    const words = new Uint32Array(buffer, 16, 8);
    webcrypto.getRandomValues(words);
    expect(new Uint8Array(buffer, 0, 16).every((b) => b === 0)).toBe(true);
    expect(new Uint8Array(buffer, 48, 16).every((b) => b === 0)).toBe(true);
    expect(words.filter((w) => w === 0).length).toBeLessThan(2);
    const shorts = webcrypto.getRandomValues(new Uint16Array(64));
    expect(new Set(shorts).size).toBeGreaterThan(50);
  });

  it("leaves large and wrong requests to Node, with its errors", () => {
    expect(webcrypto.getRandomValues(new Uint8Array(4096)).some((b) => b !== 0)).toBe(true);
    expect(() => webcrypto.getRandomValues(new Float64Array(2) as never)).toThrow();
    expect(() => webcrypto.getRandomValues(new Uint8Array(70_000))).toThrow();
  });

  it("gives each Y.Doc its own guid and client id", () => {
    const docs = Array.from({ length: 1000 }, () => new Y.Doc());
    expect(new Set(docs.map((d) => d.guid)).size).toBe(1000);
    expect(new Set(docs.map((d) => d.clientID)).size).toBe(1000);
  });
});
