import { Redis } from "ioredis";
import type { Logger } from "../log.ts";

/**
 * Closing a revoked session's open sockets on every instance. The sessions row is already gone, so no
 * reconnect can succeed; this makes the sockets that are open right now close too (4401) wherever
 * they are connected. Without Redis there is one instance and the local close is all there is.
 */
export class SessionRevocations {
  private readonly closeLocal: (tokenHashes: readonly string[]) => void;
  private readonly publisher: Redis | null = null;
  private readonly subscriber: Redis | null = null;
  private readonly channel: string;

  constructor(options: {
    redisUrl: string | undefined;
    channel: string;
    log: Logger;
    closeLocal: (tokenHashes: readonly string[]) => void;
  }) {
    this.closeLocal = options.closeLocal;
    this.channel = options.channel;
    if (!options.redisUrl) return;
    const quiet = { retryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000) };
    this.publisher = new Redis(options.redisUrl, { ...quiet, maxRetriesPerRequest: 1 });
    this.subscriber = new Redis(options.redisUrl, quiet);
    this.publisher.on("error", () => {});
    this.subscriber.on("error", () => {});
    this.subscriber.subscribe(this.channel).catch((error: Error) => {
      options.log.error({ error: error.message }, "cannot subscribe to session revocations");
    });
    this.subscriber.on("message", (channel: string, message: string) => {
      if (channel !== this.channel) return;
      try {
        const hashes = JSON.parse(message) as unknown;
        if (Array.isArray(hashes)) this.closeLocal(hashes.filter((h) => typeof h === "string"));
      } catch {}
    });
  }

  /** Closes the sockets of these (already deleted) sessions here and, through Redis, everywhere. */
  async revoke(tokenHashes: readonly string[]): Promise<void> {
    if (tokenHashes.length === 0) return;
    this.closeLocal(tokenHashes);
    await this.publisher?.publish(this.channel, JSON.stringify(tokenHashes)).catch(() => {});
  }

  async close(): Promise<void> {
    for (const client of [this.publisher, this.subscriber])
      await client?.quit().catch(() => client.disconnect());
  }
}
