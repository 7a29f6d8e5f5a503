import { describe, expect, it } from "vitest";
import { UnstoredUpdates } from "./unstoredUpdates.ts";

/** An update log that can be told to fail, recording what it stored. */
function flakyLog() {
  const stored: Array<[string, number]> = [];
  let down = false;
  return {
    stored,
    setDown(value: boolean) {
      down = value;
    },
    async append(name: string, update: Uint8Array) {
      await new Promise((r) => setTimeout(r, 1));
      if (down) throw new Error("database unavailable");
      stored.push([name, update[0]!]);
    },
  };
}

describe("client updates applied before they are stored", () => {
  it("resolves each add once stored, and flush once everything added so far is", async () => {
    const log = flakyLog();
    const unstored = new UnstoredUpdates(log);
    const first = unstored.add("a", Uint8Array.of(1));
    unstored.add("a", Uint8Array.of(2));
    unstored.add("b", Uint8Array.of(3));
    expect(unstored.pending("a")).toBe(2);
    await first;
    await unstored.flush("a");
    expect(unstored.pending("a")).toBe(0);
    await unstored.flush("b");
    expect(log.stored).toEqual([
      ["a", 1],
      ["a", 2],
      ["b", 3],
    ]);
  });

  it("keeps a failed update and stores it by itself once the log works again, with nobody asking", async () => {
    const log = flakyLog();
    const failures: string[] = [];
    const unstored = new UnstoredUpdates(log, {
      retryDelayMs: 20,
      onRetryFailed: (name) => failures.push(name),
    });
    log.setDown(true);
    await expect(unstored.add("a", Uint8Array.of(7))).rejects.toThrow("database unavailable");
    expect(unstored.pending("a")).toBe(1);
    await expect(unstored.flush("a")).rejects.toThrow("database unavailable");
    // The back-off retries (20 ms, then 40 ms) fail while the log is down, and say so.
    await new Promise((r) => setTimeout(r, 90));
    expect(failures.length).toBeGreaterThanOrEqual(1);
    expect(unstored.pending("a")).toBe(1);
    log.setDown(false);
    const deadline = Date.now() + 2_000;
    while (unstored.pending("a") > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(unstored.pending("a")).toBe(0);
    expect(log.stored).toEqual([["a", 7]]);
  });

  it("flush tries a failed update again at once, and resolves when that try stores it", async () => {
    const log = flakyLog();
    const unstored = new UnstoredUpdates(log, { retryDelayMs: 60_000 });
    log.setDown(true);
    await unstored.add("a", Uint8Array.of(9)).catch(() => {});
    log.setDown(false);
    await unstored.flush("a");
    expect(log.stored).toEqual([["a", 9]]);
    expect(unstored.pending("a")).toBe(0);
  });
});
