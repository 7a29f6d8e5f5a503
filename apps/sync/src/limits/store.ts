import { Redis } from "ioredis";
import { backoffMs } from "../lib/backoff.ts";
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

/** One key a sign-in attempt is counted under: the username tried, or the client's address. */
export interface AttemptGate {
  /** Attempts within the window (sliding: forgotten `windowMs` after the last one). */
  counter: string;
  /** Present while the key is locked out; holds the id of the attempt that locked it. */
  lock: string;
  /** The attempt that brings the count to this (or past it) locks the key. */
  lockAt: number;
}

export interface Lockouts {
  windowMs: number;
  /** The first lockout; each further attempt doubles it, up to `maxMs`. */
  firstMs: number;
  maxMs: number;
}

export type AttemptOutcome =
  /** Refused without counting: gate number `gate` is locked for `resetMs` more. */
  | { admitted: false; gate: number; resetMs: number }
  /** Counted on every gate; `lockMs[i]` is the lockout this attempt started on gate i (0 for none). */
  | { admitted: true; lockMs: number[] };

/** 0 below `lockAt`, then firstMs, 2×, 4×… up to maxMs. (The Lua scripts below compute the same.) */
export function lockoutMs(count: number, lockAt: number, lockouts: Lockouts): number {
  if (count < lockAt) return 0;
  return backoffMs(lockouts.firstMs, count - lockAt + 1, lockouts.maxMs);
}

export interface LimitStore {
  /**
   * Adds `amount` to `key`. A new key lives `windowMs`; with `slide` every increment restarts the
   * window (so "15 minutes since the last failure" rather than "per quarter hour").
   */
  increment(key: string, amount: number, windowMs: number, slide?: boolean): Promise<Counter>;
  get(key: string): Promise<Counter | null>;
  delete(key: string): Promise<void>;
  /**
   * In one step, so concurrent attempts (on any instance) cannot all slip through: refuses when any
   * gate is locked; otherwise counts the attempt on every gate and locks each gate it brought to
   * its `lockAt`, before the caller checks anything. `id` names the attempt, for `returnAttempt`.
   */
  takeAttempt(gates: readonly AttemptGate[], id: string, lockouts: Lockouts): Promise<AttemptOutcome>;
  /**
   * Undoes an admitted attempt: per gate, its count goes down by one (or is cleared, `clear[i]`),
   * and the locks this attempt set are lifted (not those another attempt set meanwhile).
   */
  returnAttempt(gates: readonly AttemptGate[], id: string, clear: readonly boolean[]): Promise<void>;
  close(): Promise<void>;
}

/** Most keys one process keeps: beyond this the oldest go first, so a flood of addresses cannot exhaust memory. */
export const MEMORY_STORE_MAX_KEYS = 50_000;

export class MemoryLimitStore implements LimitStore {
  private readonly entries = new Map<string, { count: number; expiresAt: number; owner?: string }>();
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

  async takeAttempt(gates: readonly AttemptGate[], id: string, lockouts: Lockouts): Promise<AttemptOutcome> {
    // Synchronous from the first check to the last lock: one process serves one attempt at a time.
    const now = Date.now();
    for (const [gate, { lock }] of gates.entries()) {
      const entry = this.entries.get(lock);
      if (entry && entry.expiresAt > now) return { admitted: false, gate, resetMs: entry.expiresAt - now };
    }
    const lockMs = gates.map(({ counter, lock, lockAt }) => {
      const ms = lockoutMs(this.incrementNow(counter, 1, lockouts.windowMs, true).count, lockAt, lockouts);
      if (ms > 0) {
        this.entries.delete(lock);
        this.incrementNow(lock, 1, ms);
        this.entries.get(lock)!.owner = id;
      }
      return ms;
    });
    return { admitted: true, lockMs };
  }

  async returnAttempt(gates: readonly AttemptGate[], id: string, clear: readonly boolean[]): Promise<void> {
    const now = Date.now();
    for (const [i, { counter, lock }] of gates.entries()) {
      const count = this.entries.get(counter);
      if (clear[i]) this.entries.delete(counter);
      else if (count && count.expiresAt > now && count.count > 0) count.count -= 1;
      if (this.entries.get(lock)?.owner === id) this.entries.delete(lock);
    }
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
 * takeAttempt in one step. KEYS: counter and lock of each gate in turn. ARGV: the attempt's id,
 * windowMs, firstMs, maxMs, then each gate's lockAt. Returns {0, gate, resetMs} when refused, else
 * {1, lockMs of each gate}.
 */
const TAKE_ATTEMPT_SCRIPT = `
local gates = #KEYS / 2
for i = 1, gates do
  local ttl = redis.call('PTTL', KEYS[2 * i])
  if ttl > 0 then return {0, i - 1, ttl} end
end
local result = {1}
for i = 1, gates do
  local count = redis.call('INCR', KEYS[2 * i - 1])
  redis.call('PEXPIRE', KEYS[2 * i - 1], ARGV[2])
  local lockAt = tonumber(ARGV[4 + i])
  local ms = 0
  if count >= lockAt then
    ms = math.min(tonumber(ARGV[3]) * 2 ^ math.min(count - lockAt, 30), tonumber(ARGV[4]))
    redis.call('SET', KEYS[2 * i], ARGV[1], 'PX', string.format('%d', ms))
  end
  result[i + 1] = ms
end
return result
`;

/** returnAttempt in one step. KEYS as for taking; ARGV: the attempt's id, then '1' per gate to clear. */
const RETURN_ATTEMPT_SCRIPT = `
for i = 1, #KEYS / 2 do
  if ARGV[1 + i] == '1' then
    redis.call('DEL', KEYS[2 * i - 1])
  elseif tonumber(redis.call('GET', KEYS[2 * i - 1]) or '0') > 0 then
    redis.call('DECR', KEYS[2 * i - 1])
  end
  if redis.call('GET', KEYS[2 * i]) == ARGV[1] then redis.call('DEL', KEYS[2 * i]) end
end
return 0
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

  async takeAttempt(gates: readonly AttemptGate[], id: string, lockouts: Lockouts): Promise<AttemptOutcome> {
    if (this.degraded) return this.fallback.takeAttempt(gates, id, lockouts);
    try {
      const [admitted, ...rest] = (await this.redis.eval(
        TAKE_ATTEMPT_SCRIPT,
        gates.length * 2,
        ...gates.flatMap(({ counter, lock }) => [this.prefix + counter, this.prefix + lock]),
        id,
        lockouts.windowMs,
        lockouts.firstMs,
        lockouts.maxMs,
        ...gates.map(({ lockAt }) => lockAt),
      )) as number[];
      return admitted === 1
        ? { admitted: true, lockMs: rest }
        : { admitted: false, gate: rest[0]!, resetMs: rest[1]! };
    } catch {
      this.markDegraded();
      return this.fallback.takeAttempt(gates, id, lockouts);
    }
  }

  async returnAttempt(gates: readonly AttemptGate[], id: string, clear: readonly boolean[]): Promise<void> {
    if (this.degraded) return this.fallback.returnAttempt(gates, id, clear);
    try {
      await this.redis.eval(
        RETURN_ATTEMPT_SCRIPT,
        gates.length * 2,
        ...gates.flatMap(({ counter, lock }) => [this.prefix + counter, this.prefix + lock]),
        id,
        ...clear.map((c) => (c ? "1" : "0")),
      );
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
