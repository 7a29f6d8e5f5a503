import { Redis } from "ioredis";
import type { Logger } from "../log.ts";

/**
 * Something every instance must act on at once (close a revoked session's sockets, a removed
 * member's documents): `publish` acts here and, through a Redis channel, on every other instance.
 * Without Redis there is one instance and acting here is all there is. A message lost while Redis is
 * away is not replayed: what it closes is also refused on the next open, from Postgres.
 */
export class InstanceBroadcast<T> {
  private readonly receive: (message: T) => void;
  private readonly publisher: Redis | null = null;
  private readonly subscriber: Redis | null = null;
  private readonly channel: string;

  constructor(options: {
    redisUrl: string | undefined;
    channel: string;
    log: Logger;
    /** Checks a message from another instance: null drops it. */
    parse: (value: unknown) => T | null;
    receive: (message: T) => void;
  }) {
    this.receive = options.receive;
    this.channel = options.channel;
    if (!options.redisUrl) return;
    const quiet = { retryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000) };
    this.publisher = new Redis(options.redisUrl, { ...quiet, maxRetriesPerRequest: 1 });
    this.subscriber = new Redis(options.redisUrl, quiet);
    this.publisher.on("error", () => {});
    this.subscriber.on("error", () => {});
    this.subscriber.subscribe(this.channel).catch((error: Error) => {
      options.log.error({ error: error.message, channel: this.channel }, "cannot subscribe to a broadcast");
    });
    this.subscriber.on("message", (channel: string, text: string) => {
      if (channel !== this.channel) return;
      let message: T | null = null;
      try {
        message = options.parse(JSON.parse(text));
      } catch {}
      if (message !== null) this.receive(message);
    });
  }

  /** Acts on `message` here and on every other instance. */
  async publish(message: T): Promise<void> {
    this.receive(message);
    await this.publisher?.publish(this.channel, JSON.stringify(message)).catch(() => {});
  }

  async close(): Promise<void> {
    for (const client of [this.publisher, this.subscriber])
      await client?.quit().catch(() => client.disconnect());
  }
}
