import { InstanceBroadcast } from "../lib/instanceBroadcast.ts";
import type { Logger } from "../log.ts";

const SIGNED_OUT = "signed out";

interface Revocation {
  tokenHashes: string[];
  reason: string;
}

/** A revocation from another instance: `{ tokenHashes, reason }`, or the bare list older instances send. */
function parseRevocation(value: unknown): Revocation | null {
  const strings = (list: unknown) =>
    Array.isArray(list) ? list.filter((h): h is string => typeof h === "string") : null;
  if (Array.isArray(value)) return { tokenHashes: strings(value)!, reason: SIGNED_OUT };
  const record = value as Partial<Record<keyof Revocation, unknown>> | null;
  const tokenHashes = strings(record?.tokenHashes);
  if (!tokenHashes) return null;
  const reason = typeof record?.reason === "string" ? record.reason.slice(0, 100) : SIGNED_OUT;
  return { tokenHashes, reason };
}

/**
 * Closing a revoked session's open sockets on every instance. The sessions row is already gone, so no
 * reconnect can succeed; this makes the sockets that are open right now close too (4401) wherever
 * they are connected.
 */
export class SessionRevocations {
  private readonly broadcast: InstanceBroadcast<Revocation>;

  constructor(options: {
    redisUrl: string | undefined;
    channel: string;
    log: Logger;
    closeLocal: (tokenHashes: readonly string[], reason: string) => void;
  }) {
    this.broadcast = new InstanceBroadcast<Revocation>({
      ...options,
      parse: parseRevocation,
      receive: ({ tokenHashes, reason }) => options.closeLocal(tokenHashes, reason),
    });
  }

  /**
   * Closes the sockets of these (already deleted) sessions here and, through Redis, everywhere, with
   * `reason` as the close reason (4401): "signed out", or why, for the app to say ("account deactivated").
   */
  async revoke(tokenHashes: readonly string[], reason = SIGNED_OUT): Promise<void> {
    if (tokenHashes.length === 0) return;
    await this.broadcast.publish({ tokenHashes: [...tokenHashes], reason });
  }

  close(): Promise<void> {
    return this.broadcast.close();
  }
}
