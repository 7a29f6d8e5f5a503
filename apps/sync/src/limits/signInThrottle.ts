import { randomUUID } from "node:crypto";
import type { LimitPolicy } from "./policy.ts";
import type { AttemptGate, LimitStore, Lockouts } from "./store.ts";
import { TooManyRequests } from "./tooManyRequests.ts";

/** A sign-in attempt let through to the password check (and already counted as a failure). */
export interface SignInAttempt {
  readonly id: string;
  readonly gates: readonly AttemptGate[];
  /** The lockout this attempt started, in ms (0 while attempts are still free): the wait if it fails. */
  readonly lockMs: number;
}

/**
 * Failed sign-ins slow down, per username (guessing one person's password) and per client address
 * (trying many usernames). After the free attempts each further one locks that key for twice as long
 * as the last, up to a maximum. While locked, attempts are refused before the password is checked,
 * so a locked account cannot be guessed at any speed.
 *
 * Every attempt counts as a failure *before* its password is checked, in one atomic step of the
 * limit store (shared by every instance with Redis): otherwise a burst of concurrent guesses would
 * all pass the check before the first failure was recorded. A correct password then clears the
 * username's count (not the address's: one account of yours does not vouch for the others you try,
 * but your own sign-in is given back); an attempt whose password was never checked is given back.
 */
export class SignInThrottle {
  private readonly store: LimitStore;
  private readonly policy: LimitPolicy["signIn"];
  private readonly lockouts: Lockouts;

  constructor(store: LimitStore, policy: LimitPolicy["signIn"]) {
    this.store = store;
    this.policy = policy;
    this.lockouts = { windowMs: policy.windowMs, firstMs: policy.firstLockoutMs, maxMs: policy.maxLockoutMs };
  }

  /** Counts an attempt on the username and the address; throws 429 with Retry-After while either is locked. */
  async attempt(username: string, address: string): Promise<SignInAttempt> {
    const gates: AttemptGate[] = [
      {
        counter: failKey("user", username),
        lock: lockKey("user", username),
        lockAt: this.policy.freeFailuresPerUsername,
      },
      {
        counter: failKey("addr", address),
        lock: lockKey("addr", address),
        lockAt: this.policy.freeFailuresPerAddress,
      },
    ];
    const id = randomUUID();
    const outcome = await this.store.takeAttempt(gates, id, this.lockouts);
    if (!outcome.admitted)
      throw new TooManyRequests(
        outcome.gate === 0
          ? "Too many failed sign-ins for this username."
          : "Too many failed sign-ins from your network.",
        outcome.resetMs,
      );
    return { id, gates, lockMs: Math.max(...outcome.lockMs) };
  }

  /** The password was right: the username's failures are forgotten, the address gets this attempt back. */
  async succeeded(attempt: SignInAttempt): Promise<void> {
    await this.store.returnAttempt(attempt.gates, attempt.id, [true, false]);
  }

  /** No password was checked (a malformed request, the database unreachable): the attempt does not count. */
  async abandoned(attempt: SignInAttempt): Promise<void> {
    await this.store.returnAttempt(attempt.gates, attempt.id, [false, false]);
  }
}

const failKey = (kind: string, value: string) => `signin-fail:${kind}:${value}`;
const lockKey = (kind: string, value: string) => `signin-lock:${kind}:${value}`;
