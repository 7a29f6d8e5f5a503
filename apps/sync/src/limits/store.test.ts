import { afterAll, describe, expect, it } from "vitest";
import { createLogger } from "../log.ts";
import { type LimitStore, MemoryLimitStore, RedisLimitStore } from "./store.ts";
import { TokenBucket } from "./tokenBucket.ts";

const stores: LimitStore[] = [];
afterAll(async () => {
  for (const store of stores) await store.close();
});

function behavesLikeALimitStore(make: () => LimitStore) {
  it("counts within a window, slides when asked, forgets after it", async () => {
    const store = make();
    const key = `k${Math.random()}`;
    expect(await store.increment(key, 1, 200)).toMatchObject({ count: 1 });
    const second = await store.increment(key, 2, 200);
    expect(second.count).toBe(3);
    expect(second.resetMs).toBeGreaterThan(0);
    expect(second.resetMs).toBeLessThanOrEqual(200);
    expect((await store.get(key))?.count).toBe(3);
    await new Promise((r) => setTimeout(r, 250));
    expect(await store.get(key)).toBeNull();
    expect((await store.increment(key, 1, 200)).count).toBe(1);
    await store.delete(key);
    expect(await store.get(key)).toBeNull();

    const sliding = `s${Math.random()}`;
    await store.increment(sliding, 1, 300, true);
    await new Promise((r) => setTimeout(r, 200));
    expect((await store.increment(sliding, 1, 300, true)).resetMs).toBeGreaterThan(250);
  });

  it("takes attempts atomically: counts, locks at the limit, refuses while locked, gives back", async () => {
    const store = make();
    const tag = Math.random().toString(36).slice(2);
    const user = { counter: `fail:user:${tag}`, lock: `lock:user:${tag}`, lockAt: 3 };
    const addr = { counter: `fail:addr:${tag}`, lock: `lock:addr:${tag}`, lockAt: 10 };
    const lockouts = { windowMs: 60_000, firstMs: 400, maxMs: 1_000 };
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.takeAttempt([user, addr], `a${i}`, lockouts)),
    );
    const admitted = outcomes.filter((o) => o.admitted);
    expect(admitted.map((o) => o.lockMs)).toEqual([
      [0, 0],
      [0, 0],
      [400, 0],
    ]);
    expect(outcomes.filter((o) => !o.admitted).every((o) => o.gate === 0 && o.resetMs <= 400)).toBe(true);
    expect((await store.get(addr.counter))?.count).toBe(3);

    // Giving back the attempt that locked lifts its lock; clearing forgets the count.
    const third = outcomes.indexOf(admitted[2]!);
    await store.returnAttempt([user, addr], `a${third}`, [true, false]);
    expect(await store.get(user.counter)).toBeNull();
    expect((await store.get(addr.counter))?.count).toBe(2);
    const next = await store.takeAttempt([user, addr], "b", lockouts);
    expect(next).toEqual({ admitted: true, lockMs: [0, 0] });

    // Giving back another attempt takes one off the count but leaves d's lock; the doubling is capped.
    await store.takeAttempt([user, addr], "c", lockouts);
    expect(await store.takeAttempt([user, addr], "d", lockouts)).toEqual({
      admitted: true,
      lockMs: [400, 0],
    });
    await store.returnAttempt([user, addr], "c", [false, false]);
    expect(await store.takeAttempt([user, addr], "e", lockouts)).toMatchObject({ admitted: false, gate: 0 });
    await new Promise((r) => setTimeout(r, 450));
    expect(await store.takeAttempt([user, addr], "f", lockouts)).toEqual({
      admitted: true,
      lockMs: [400, 0],
    });
    await new Promise((r) => setTimeout(r, 450));
    expect(await store.takeAttempt([user, addr], "g", lockouts)).toEqual({
      admitted: true,
      lockMs: [800, 0],
    });
    await new Promise((r) => setTimeout(r, 850));
    expect(await store.takeAttempt([user, addr], "h", lockouts)).toEqual({
      admitted: true,
      lockMs: [1_000, 0],
    });
  });
}

describe("MemoryLimitStore", () => {
  behavesLikeALimitStore(() => {
    const store = new MemoryLimitStore();
    stores.push(store);
    return store;
  });

  it("stays within its key budget however many addresses it sees", async () => {
    const store = new MemoryLimitStore(1_000);
    stores.push(store);
    for (let i = 0; i < 20_000; i++) store.incrementNow(`addr:${i}`, 1, 60_000);
    expect(store.size).toBeLessThanOrEqual(1_000);
    // The most recently touched keys survive.
    expect((await store.get("addr:19999"))?.count).toBe(1);
  });
});

describe.runIf(process.env.REDIS_URL)("RedisLimitStore", () => {
  const log = createLogger({ level: "silent" });
  const prefix = `chat:limits:test-${Math.random().toString(36).slice(2)}:`;
  behavesLikeALimitStore(() => {
    const store = new RedisLimitStore(process.env.REDIS_URL!, prefix, log);
    stores.push(store);
    return store;
  });

  it("is shared by every instance of the workspace", async () => {
    const a = new RedisLimitStore(process.env.REDIS_URL!, prefix, log);
    const b = new RedisLimitStore(process.env.REDIS_URL!, prefix, log);
    stores.push(a, b);
    await a.increment("shared", 2, 5_000);
    expect((await b.increment("shared", 1, 5_000)).count).toBe(3);
  });

  it("falls back to counting in the process when Redis does not answer", async () => {
    const unreachable = new RedisLimitStore("redis://127.0.0.1:1", prefix, log);
    stores.push(unreachable);
    expect((await unreachable.increment("x", 1, 1_000)).count).toBe(1);
    expect((await unreachable.increment("x", 1, 1_000)).count).toBe(2);
  });
});

describe("TokenBucket", () => {
  it("allows a burst, then refills at its rate", () => {
    const bucket = new TokenBucket(10, 5, 0);
    for (let i = 0; i < 5; i++) expect(bucket.take(1, 0)).toBe(true);
    expect(bucket.take(1, 0)).toBe(false);
    expect(bucket.take(1, 100)).toBe(true); // 100 ms at 10/s: one more
    expect(bucket.take(1, 100)).toBe(false);
    expect(bucket.take(5, 10_000)).toBe(true); // never more than the burst
    expect(bucket.take(1, 10_000)).toBe(false);
  });
});
