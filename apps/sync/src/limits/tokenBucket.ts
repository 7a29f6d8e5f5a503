/**
 * A token bucket: holds up to `burst` tokens and refills `perSecond` of them every second. Used per
 * WebSocket, so it lives in the process (a socket never moves between instances).
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private readonly perSecond: number;
  private readonly burst: number;

  constructor(perSecond: number, burst: number, now = Date.now()) {
    this.perSecond = perSecond;
    this.burst = burst;
    this.tokens = burst;
    this.updatedAt = now;
  }

  /** Takes `amount` tokens; false when there are not enough (the bucket is then left as it was). */
  take(amount: number, now = Date.now()): boolean {
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.perSecond);
    this.updatedAt = now;
    if (this.tokens < amount) return false;
    this.tokens -= amount;
    return true;
  }
}
