import type { LimitPolicy } from "./policy.ts";
import type { LimitStore } from "./store.ts";
import { TooManyRequests } from "./tooManyRequests.ts";

const MINUTE = 60_000;

/** Per-account allowances: state-changing API requests and messages, over all of a person's devices. */
export class AccountLimits {
  private readonly store: LimitStore;
  private readonly policy: LimitPolicy["account"];

  constructor(store: LimitStore, policy: LimitPolicy["account"]) {
    this.store = store;
    this.policy = policy;
  }

  /** Throws 429 with Retry-After once the account made too many state-changing requests this minute. */
  async apiWrite(userId: string): Promise<void> {
    const { count, resetMs } = await this.store.increment(`api:${userId}`, 1, MINUTE);
    if (count > this.policy.apiWritesPerMinute)
      throw new TooManyRequests("You are making changes too quickly.", resetMs);
  }

  /** Throws 429 with Retry-After once the account uploaded too many files this minute. */
  async upload(userId: string): Promise<void> {
    const { count, resetMs } = await this.store.increment(`uploads:${userId}`, 1, MINUTE);
    if (count > this.policy.uploadsPerMinute)
      throw new TooManyRequests("You are uploading files too quickly.", resetMs);
  }

  /**
   * Counts `count` new messages; returns how long to wait when the account was already at its
   * allowance before these, else null. The update that crosses the line goes through, so that an
   * offline backlog (one update per segment, resent whole until accepted) is never stuck; it is at
   * most `messagesPerUpdate` (limits/segmentGrowth.ts), so an account adds at most
   * messagesPerMinute - 1 + messagesPerUpdate messages a minute.
   */
  async messages(userId: string, count: number): Promise<number | null> {
    if (count === 0) return null;
    const after = await this.store.increment(`messages:${userId}`, count, MINUTE);
    return after.count - count >= this.policy.messagesPerMinute ? after.resetMs : null;
  }
}
