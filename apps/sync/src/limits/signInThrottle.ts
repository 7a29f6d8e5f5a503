import type { LimitPolicy } from "./policy.ts";
import type { LimitStore } from "./store.ts";
import { TooManyRequests } from "./tooManyRequests.ts";

/**
 * Failed sign-ins slow down, per username (guessing one person's password) and per client address
 * (trying many usernames). After the free failures each further one locks that key for twice as long
 * as the last, up to a maximum. While locked, attempts are refused before the password is checked,
 * so a locked account cannot be guessed at any speed. A correct password clears the username's count
 * (not the address's: one account of yours does not vouch for the others you try).
 */
export class SignInThrottle {
  private readonly store: LimitStore;
  private readonly policy: LimitPolicy["signIn"];

  constructor(store: LimitStore, policy: LimitPolicy["signIn"]) {
    this.store = store;
    this.policy = policy;
  }

  /** Throws 429 with Retry-After while the username or the address is locked. */
  async check(username: string, address: string): Promise<void> {
    const [user, net] = await Promise.all([
      this.store.get(lockKey("user", username)),
      this.store.get(lockKey("addr", address)),
    ]);
    if (user) throw new TooManyRequests("Too many failed sign-ins for this username.", user.resetMs);
    if (net) throw new TooManyRequests("Too many failed sign-ins from your network.", net.resetMs);
  }

  /** Records a failure; returns the lockout it started in ms (0 while attempts are still free). */
  async failed(username: string, address: string): Promise<number> {
    const { windowMs } = this.policy;
    const [user, net] = await Promise.all([
      this.store.increment(failKey("user", username), 1, windowMs, true),
      this.store.increment(failKey("addr", address), 1, windowMs, true),
    ]);
    const userLock = this.lockoutFor(user.count, this.policy.freeFailuresPerUsername);
    const netLock = this.lockoutFor(net.count, this.policy.freeFailuresPerAddress);
    await Promise.all([
      userLock > 0 ? this.store.increment(lockKey("user", username), 1, userLock, true) : null,
      netLock > 0 ? this.store.increment(lockKey("addr", address), 1, netLock, true) : null,
    ]);
    return Math.max(userLock, netLock);
  }

  async succeeded(username: string): Promise<void> {
    await this.store.delete(failKey("user", username));
  }

  /** 0 for the free failures, then firstLockout, 2×, 4×… up to the maximum. */
  lockoutFor(failures: number, free: number): number {
    if (failures < free) return 0;
    const doublings = Math.min(failures - free, 30);
    return Math.min(this.policy.firstLockoutMs * 2 ** doublings, this.policy.maxLockoutMs);
  }
}

const failKey = (kind: string, value: string) => `signin-fail:${kind}:${value}`;
const lockKey = (kind: string, value: string) => `signin-lock:${kind}:${value}`;
