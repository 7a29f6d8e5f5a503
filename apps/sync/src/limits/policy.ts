/**
 * Every rate limit in one place (SECURITY.md explains them). The numbers are generous for people and
 * tight for scripts: a person types a few messages a minute; a device reconnecting after a day
 * offline sends its backlog for each history segment as one update, which is why the message
 * allowance refuses only once an account is already over it (the update that crosses the line still
 * goes through), and why that update is bounded on its own (`messagesPerUpdate`).
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
    /**
     * New messages one update may carry. A device's offline backlog for a segment arrives as one
     * update and an update is accepted or refused whole, so this is the largest backlog per room
     * that gets through; beyond it the update is refused for good (4403), not kept pending.
     */
    messagesPerUpdate: number;
    /** File uploads per minute (each attached file is one). */
    uploadsPerMinute: number;
  };
  /** What one document, socket or account may hold. */
  documents: {
    /**
     * Messages a history segment takes beyond SEGMENT_CAPACITY (model schema.ts). The server opens
     * the next segment once one is full, but devices that were offline meanwhile still write into
     * the one they knew as newest; this bounds what they, or anyone, can add to a full segment.
     */
    segmentSlack: number;
    /** Documents one socket holds open at once (a device opens its directory, index, rooms and their segments). */
    openPerSocket: number;
    /** Documents one account holds open on one instance, over all its sockets. */
    openPerAccount: number;
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
  // 500 messages is more than a very busy person writes in a day offline, and about what the 6 MiB
  // update cap holds of the longest messages: an honest backlog gets through, one update cannot
  // carry tens of thousands of messages.
  // Uploads: ten files on each of a dozen messages a minute (a device catching up after a day offline
  // sends its waiting files one after another and is told when to go on).
  account: { apiWritesPerMinute: 60, messagesPerMinute: 300, messagesPerUpdate: 500, uploadsPerMinute: 120 },
  documents: {
    // Room for two of the largest offline backlogs in a segment that was full when they arrived: a
    // segment stays within 1.5 times its capacity, whatever is sent into it.
    segmentSlack: 1_000,
    // A big workspace is a few hundred rooms: a device opens each room and one or more of its
    // segments, and offline reading and search open every segment in the background.
    openPerSocket: 4_000,
    // Several tabs and devices of one person on one instance, each as big.
    openPerAccount: 12_000,
  },
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
 * account, write whole segments in a few updates and open thousands of documents, which no person
 * does. Sign-in slowdown stays on: it guards passwords, not capacity. A segment's slack stays too: it
 * bounds a document's size, which a load test is meant to measure as it is.
 */
export const LOAD_TEST_LIMITS: LimitPolicy = {
  ...DEFAULT_LIMITS,
  socket: { framesPerSecond: 1e9, frameBurst: 1e9, bytesPerSecond: 1e12, byteBurst: 1e12, perAccount: 1e9 },
  presence: { updatesPerSecond: 1e9, burst: 1e9 },
  account: { apiWritesPerMinute: 1e9, messagesPerMinute: 1e9, messagesPerUpdate: 1e9, uploadsPerMinute: 1e9 },
  documents: { ...DEFAULT_LIMITS.documents, openPerSocket: 1e9, openPerAccount: 1e9 },
};
