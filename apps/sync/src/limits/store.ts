import { Redis } from "ioredis";
import type { Logger } from "../log.ts";

/**
 * Counters with an expiry: the one primitive every rate limit and the sign-in slowdown are built on.
 * With Redis the counters are shared by every sync instance of the workspace; without it each
 * process counts on its own (a person reaching two instances gets each instance's allowance).
 */
export interface Counter {
  /** The count within the current window. */
  count: number;
  /** Milliseconds until the window ends and the count starts again from zero. */
  resetMs: number;
}

export interface LimitStore {
  /**
   * Adds `amount` to `key`. A new key lives `windowMs`; with `slide` every increment restarts the
   * window (so "15 minutes since the last failure" rather than "per quarter hour").
   */
  increment(key: string, amount: number, windowMs: number, slide?: boolean): Promise<Counter>;
  get(key: string): Promise<Counter | null>;
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}

/** Most keys one process keeps: beyond this the oldest go first, so a flood of addresses cannot exhaust memory. */
export const MEMORY_STORE_MAX_KEYS = 50_000;

export class MemoryLimitStore implements LimitStore {
  private readonly entries = new Map<string, { count: number; expiresAt: number }>();
  private readonly maxKeys: number;
  private readonly sweeper: ReturnType<typeof setInterval>;

  constructor(maxKeys = MEMORY_STORE_MAX_KEYS) {
    this.maxKeys = maxKeys;
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  get size(): number {
    return this.entries.size;
  }

  async increment(key: string, amount: number, windowMs: number, slide = false): Promise<Counter> {
    return this.incrementNow(key, amount, windowMs, slide);
  }

  /** The synchronous form, for the per-message hot path when there is no Redis. */
  incrementNow(key: string, amount: number, windowMs: number, slide = false): Counter {
    const now = Date.now();
    let entry = this.entries.get(key);
    if (entry && entry.expiresAt <= now) {
      this.entries.delete(key);
      entry = undefined;
    }
    if (!entry) {
      if (this.entries.size >= this.maxKeys) this.makeRoom(now);
      entry = { count: 0, expiresAt: now + windowMs };
    } else if (slide) {
      entry.expiresAt = now + windowMs;
    }
    entry.count += amount;
    // Re-inserting keeps the Map in least-recently-touched order, which is what eviction drops first.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return { count: entry.count, resetMs: entry.expiresAt - now };
  }

  async get(key: string): Promise<Counter | null> {
    const entry = this.entries.get(key);
    const now = Date.now();
    if (!entry || entry.expiresAt <= now) return null;
    return { count: entry.count, resetMs: entry.expiresAt - now };
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.entries.clear();
  }

  private sweep(now = Date.now()): void {
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }

  private makeRoom(now: number): void {
    this.sweep(now);
    // Still full: drop the least recently touched tenth in one go rather than one key per insert.
    if (this.entries.size < this.maxKeys) return;
    let drop = Math.ceil(this.maxKeys / 10);
    for (const key of this.entries.keys()) {
      if (drop-- <= 0) break;
      this.entries.delete(key);
    }
  }
}

/** INCRBY and (re)arm the expiry in one step, so concurrent instances never lose a window. */
const INCREMENT_SCRIPT = `
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 or ARGV[3] == '1' then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
return {count, ttl}
`;

/**
 * Counters in Redis, shared by every instance of the workspace. When Redis does not answer, the
 * process falls back to its own memory counters rather than refusing everyone (or letting everyone
 * through without limits).
 */
export class RedisLimitStore implements LimitStore {
  private readonly redis: Redis;
  private readonly fallback = new MemoryLimitStore();
  private readonly prefix: string;
  private readonly log: Logger;
  private degraded = false;

  constructor(redisUrl: string, prefix: string, log: Logger) {
    this.prefix = prefix;
    this.log = log;
    this.redis = new Redis(redisUrl, {
      // A limit check must never hold a request long: while Redis is known to be away the
      // fallback answers at once (see `degraded`), and a command that hangs gives up after 1 s.
      maxRetriesPerRequest: 1,
      commandTimeout: 1_000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    });
    this.redis.on("error", () => this.markDegraded());
    this.redis.on("ready", () => {
      if (this.degraded) this.log.info({}, "rate limits shared through Redis again");
      this.degraded = false;
    });
  }

  async increment(key: string, amount: number, windowMs: number, slide = false): Promise<Counter> {
    if (this.degraded) return this.fallback.increment(key, amount, windowMs, slide);
    try {
      const [count, ttl] = (await this.redis.eval(
        INCREMENT_SCRIPT,
        1,
        this.prefix + key,
        amount,
        windowMs,
        slide ? "1" : "0",
      )) as [number, number];
      return { count, resetMs: ttl };
    } catch {
      this.markDegraded();
      return this.fallback.increment(key, amount, windowMs, slide);
    }
  }

  async get(key: string): Promise<Counter | null> {
    if (this.degraded) return this.fallback.get(key);
    try {
      const [count, ttl] = await Promise.all([
        this.redis.get(this.prefix + key),
        this.redis.pttl(this.prefix + key),
      ]);
      if (count === null || ttl <= 0) return null;
      return { count: Number(count), resetMs: ttl };
    } catch {
      this.markDegraded();
      return this.fallback.get(key);
    }
  }

  async delete(key: string): Promise<void> {
    await this.fallback.delete(key);
    try {
      await this.redis.del(this.prefix + key);
    } catch {
      this.markDegraded();
    }
  }

  async close(): Promise<void> {
    await this.fallback.close();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private markDegraded(): void {
    if (!this.degraded)
      this.log.warn({}, "Redis unreachable: rate limits counted per instance until it returns");
    this.degraded = true;
  }
}
