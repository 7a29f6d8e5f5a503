import { Redis } from "ioredis";
import type { Logger } from "../log.ts";

/** How long Redis believes an instance's "in view" without hearing it again (an instance that died). */
export const IN_VIEW_TTL_MS = 60_000;
/** How often an instance says again whom it has in view. */
const IN_VIEW_RENEW_MS = 20_000;

/** The state a device announces on its own index document (`user:<id>`) while the app is in view. */
export function isInViewState(state: unknown): boolean {
  return typeof state === "object" && state !== null && (state as { inView?: unknown }).inView === true;
}

/**
 * Which people have the app open and in view on some device, here or on another instance, so the
 * server pushes nothing to someone who is looking at it already.
 *
 * Each device announces `inView` (document.visibilityState === "visible") in its presence on its own
 * index document (extensions/inView.ts reads it as it arrives; it is relayed to nobody): a tab switch
 * is one small message to the server, not a state sent to the whole company as the directory's
 * presence would be. Here: per person, the sockets whose latest presence said "in view"; a socket's
 * closing takes it out.
 *
 * Across instances (REDIS_URL): per person, a sorted set in Redis of the instances that have them in
 * view, scored by when that claim runs out; an instance adds or removes itself when the person's
 * answer here flips, renews its claims every 20 s, and a dead instance's claims run out after a minute.
 */
export class InViewDevices {
  private readonly redis: Redis | null;
  private readonly keyPrefix: string;
  private readonly instanceId: string;
  private readonly log: Logger;
  /** Per person: the sockets (ids) here with the app in view. */
  private readonly local = new Map<string, Set<string>>();
  private readonly renewal: NodeJS.Timeout | null = null;

  constructor(options: {
    redisUrl: string | undefined;
    /** Keys are `<keyPrefix><userId>`. */
    keyPrefix: string;
    instanceId: string;
    log: Logger;
  }) {
    this.keyPrefix = options.keyPrefix;
    this.instanceId = options.instanceId;
    this.log = options.log;
    this.redis = options.redisUrl
      ? new Redis(options.redisUrl, {
          retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
          maxRetriesPerRequest: 1,
        })
      : null;
    if (this.redis) {
      this.redis.on("error", () => {}); // the scale-out extension reports Redis going away
      this.renewal = setInterval(() => void this.renew(), IN_VIEW_RENEW_MS);
      this.renewal.unref();
    }
  }

  /** A socket of `userId` said whether the app is in view (false also when it closed). */
  set(userId: string, socketId: string, inView: boolean): void {
    const sockets = this.local.get(userId);
    const before = !!sockets;
    if (inView) {
      if (sockets) sockets.add(socketId);
      else this.local.set(userId, new Set([socketId]));
    } else if (sockets?.delete(socketId) && sockets.size === 0) this.local.delete(userId);
    const after = this.local.has(userId);
    if (before === after || !this.redis) return;
    const key = this.keyPrefix + userId;
    const pipeline = this.redis.pipeline();
    if (after) pipeline.zadd(key, Date.now() + IN_VIEW_TTL_MS, this.instanceId).pexpire(key, IN_VIEW_TTL_MS);
    else pipeline.zrem(key, this.instanceId);
    pipeline.exec().catch((error) => this.log.warn({ error: String(error) }, "cannot record who is in view"));
  }

  /** Those of `userIds` with the app in view on a device (here, or on another instance). */
  async inView(userIds: readonly string[]): Promise<Set<string>> {
    const found = new Set(userIds.filter((userId) => this.local.has(userId)));
    const unknown = userIds.filter((userId) => !found.has(userId));
    if (unknown.length === 0 || !this.redis) return found;
    try {
      const pipeline = this.redis.pipeline();
      const now = Date.now();
      for (const userId of unknown) pipeline.zcount(this.keyPrefix + userId, now, "+inf");
      const answers = (await pipeline.exec()) ?? [];
      unknown.forEach((userId, i) => {
        const [error, count] = answers[i] ?? [null, 0];
        if (!error && Number(count) > 0) found.add(userId);
      });
    } catch (error) {
      // Cannot tell: a push too many beats a message missed.
      this.log.warn({ error: String(error) }, "cannot ask Redis who is in view; pushing");
    }
    return found;
  }

  private async renew(): Promise<void> {
    if (!this.redis || this.local.size === 0) return;
    const now = Date.now();
    const pipeline = this.redis.pipeline();
    for (const userId of this.local.keys()) {
      const key = this.keyPrefix + userId;
      pipeline
        .zadd(key, now + IN_VIEW_TTL_MS, this.instanceId)
        .zremrangebyscore(key, "-inf", now)
        .pexpire(key, IN_VIEW_TTL_MS);
    }
    await pipeline
      .exec()
      .catch((error) => this.log.warn({ error: String(error) }, "cannot renew who is in view"));
  }

  async close(): Promise<void> {
    if (this.renewal) clearInterval(this.renewal);
    if (!this.redis) return;
    // This instance's sockets are gone with it: say so rather than let the claims run out.
    const pipeline = this.redis.pipeline();
    for (const userId of this.local.keys()) pipeline.zrem(this.keyPrefix + userId, this.instanceId);
    this.local.clear();
    await pipeline.exec().catch(() => {});
    await this.redis.quit().catch(() => this.redis?.disconnect());
  }
}
