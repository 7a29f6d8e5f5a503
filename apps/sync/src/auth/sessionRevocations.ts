import { InstanceBroadcast } from "../lib/instanceBroadcast.ts";
import type { Logger } from "../log.ts";

/**
 * Closing a revoked session's open sockets on every instance. The sessions row is already gone, so no
 * reconnect can succeed; this makes the sockets that are open right now close too (4401) wherever
 * they are connected.
 */
export class SessionRevocations {
  private readonly broadcast: InstanceBroadcast<string[]>;

  constructor(options: {
    redisUrl: string | undefined;
    channel: string;
    log: Logger;
    closeLocal: (tokenHashes: readonly string[]) => void;
  }) {
    this.broadcast = new InstanceBroadcast<string[]>({
      ...options,
      parse: (value) => (Array.isArray(value) ? value.filter((h) => typeof h === "string") : null),
      receive: options.closeLocal,
    });
  }

  /** Closes the sockets of these (already deleted) sessions here and, through Redis, everywhere. */
  async revoke(tokenHashes: readonly string[]): Promise<void> {
    if (tokenHashes.length === 0) return;
    await this.broadcast.publish([...tokenHashes]);
  }

  close(): Promise<void> {
    return this.broadcast.close();
  }
}
