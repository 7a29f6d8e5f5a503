import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../config.ts";
import { DEFAULT_LIMITS, LOAD_TEST_LIMITS } from "./policy.ts";

describe("RATE_LIMITS", () => {
  it("is on unless a load test turns it off; failed sign-ins slow down either way", () => {
    expect(loadConfig({}).limits).toBe(DEFAULT_LIMITS);
    const off = loadConfig({ RATE_LIMITS: "off" }).limits;
    expect(off).toBe(LOAD_TEST_LIMITS);
    expect(off.account.messagesPerMinute).toBeGreaterThan(1e6);
    expect(off.account.messagesPerUpdate).toBeGreaterThan(1e6);
    expect(off.documents.openPerSocket).toBeGreaterThan(1e6);
    expect(off.documents.openPerAccount).toBeGreaterThan(1e6);
    // A segment's size stays bounded even under load: benchmarks measure documents as they are.
    expect(off.documents.segmentSlack).toBe(DEFAULT_LIMITS.documents.segmentSlack);
    expect(off.presence.updatesPerSecond).toBeGreaterThan(1e6);
    expect(off.presence.burst).toBeGreaterThan(1e6);
    expect(off.signIn).toEqual(DEFAULT_LIMITS.signIn);
    expect(() => loadConfig({ RATE_LIMITS: "no" })).toThrow(ConfigError);
    expect(() => loadConfig({ RATE_LIMITS: "no" })).toThrow(/RATE_LIMITS must be "on" or "off"/);
  });

  it("TRUST_PROXY only when asked", () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: "true" }).trustProxy).toBe(true);
  });
});
