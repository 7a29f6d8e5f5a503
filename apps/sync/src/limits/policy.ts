/**
 * Every rate limit in one place (SECURITY.md explains them). The numbers are generous for people and
 * tight for scripts: a person types a few messages a minute; a device reconnecting after a day
 * offline sends its backlog as one update, which is why message limits refuse only once an account
 * is already over its allowance (the update that crosses the line still goes through).
 */
export interface LimitPolicy {
  /** Per WebSocket: a token bucket of frames and one of bytes. */
  socket: {
    framesPerSecond: number;
    frameBurst: number;
    bytesPerSecond: number;
    byteBurst: number;
    /** Open sockets of one account on one instance (each tab of each device holds one). */
    perAccount: number;
  };
  /**
   * Presence (awareness) messages per document connection: over it they are left out, not relayed to
   * the room (awarenessGuard.ts). A device sends one when it opens a document, every 15 s to renew,
   * and two as a person starts or stops typing.
   */
  presence: {
    updatesPerSecond: number;
    burst: number;
  };
  /** Per account, across instances when Redis is configured. */
  account: {
    /** State-changing API requests (rooms, invites, password) per minute. */
    apiWritesPerMinute: number;
    /** Messages per minute, counted over every device of the account. */
    messagesPerMinute: number;
  };
  /** Failed sign-ins: free attempts, then a lockout that doubles with each further failure. */
  signIn: {
    freeFailuresPerUsername: number;
    /** Higher than per username: an office or a phone carrier puts many people behind one address. */
    freeFailuresPerAddress: number;
    /** Failures are forgotten this long after the last one. */
    windowMs: number;
    firstLockoutMs: number;
    maxLockoutMs: number;
  };
}

export const DEFAULT_LIMITS: LimitPolicy = {
  socket: {
    // Opening a document sends ~4 frames, and a device opens every room and history segment it
    // holds at once (and again on every reconnect): the burst covers ~1,200 documents.
    framesPerSecond: 500,
    frameBurst: 5_000,
    bytesPerSecond: 4 * 1024 * 1024,
    byteBurst: 32 * 1024 * 1024,
    perAccount: 50,
  },
  // Sending a message a second while typing between them is ~4 a second at most.
  presence: { updatesPerSecond: 5, burst: 30 },
  account: { apiWritesPerMinute: 60, messagesPerMinute: 300 },
  signIn: {
    freeFailuresPerUsername: 5,
    freeFailuresPerAddress: 30,
    windowMs: 15 * 60_000,
    firstLockoutMs: 1_000,
    maxLockoutMs: 15 * 60_000,
  },
};

/**
 * RATE_LIMITS=off: load generators (npm run bench) drive thousands of messages a second through one
 * account, which no person does. Sign-in slowdown stays on: it guards passwords, not capacity.
 */
export const LOAD_TEST_LIMITS: LimitPolicy = {
  ...DEFAULT_LIMITS,
  socket: { framesPerSecond: 1e9, frameBurst: 1e9, bytesPerSecond: 1e12, byteBurst: 1e12, perAccount: 1e9 },
  presence: { updatesPerSecond: 1e9, burst: 1e9 },
  account: { apiWritesPerMinute: 1e9, messagesPerMinute: 1e9 },
};
