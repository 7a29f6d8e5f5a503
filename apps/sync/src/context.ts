import { CLOSE_CODES, closeReason, type OpenRefusal } from "@chat/model";
import type { SessionUser } from "./auth/sessions.ts";

/** What every WebSocket connection carries: who is on the other end, from the session cookie. */
export interface ConnectionContext {
  user: SessionUser;
  sessionTokenHash: string;
  /**
   * Closes the whole socket with 1013 ("try again later") when the server cannot do its part right
   * now (the database is unreachable): the client keeps its changes pending, shows "Connecting",
   * reconnects with backoff and resends them once the server can store them.
   */
  retryLater(reason: string): void;
  /** Closes the whole socket with 4429: the account or connection is over a rate limit (SECURITY.md). */
  rateLimited(reason: string): void;
}

/**
 * Whether a change came from a client connected to this instance (Hocuspocus applies those with the
 * origin source "connection"), rather than from a peer instance through Redis or the server itself.
 * Work that must happen once per change (numbering, counting, sealing) is done by the instance the
 * client is connected to.
 */
export function isClientChange(transactionOrigin: unknown): boolean {
  return (transactionOrigin as { source?: string } | undefined)?.source === "connection";
}

/** Calls the connection's retryLater, if the hook has a client connection behind it. */
export function askClientToRetry(context: unknown, reason: string): void {
  (context as Partial<ConnectionContext> | undefined)?.retryLater?.(reason);
}

/**
 * A refusal sent to the client as the provider's authentication-failed reason (model protocol.ts).
 * `too-many-documents`: the socket or account holds as many open documents as it may
 * (limits/openDocuments.ts).
 */
export type RefusalReason = OpenRefusal;

export class Refusal extends Error {
  /** Marks an expected refusal of a client, as opposed to a failure (process/consoleToLog.ts). */
  readonly refusal = true;
  readonly reason: RefusalReason;
  /** Its label in `chat_refusals_total` (process/refusalCounts.ts). */
  readonly metricLabel: string;

  constructor(reason: RefusalReason) {
    super(reason);
    this.reason = reason;
    this.metricLabel = `open-${reason}`;
  }
}

/** Closing a document's connection for a forbidden write: the client drops its change instead of resending it. */
export class ForbiddenWrite extends Error {
  readonly refusal = true;
  readonly metricLabel = "write-forbidden";
  readonly code = CLOSE_CODES.forbidden;
  readonly reason: string;
  constructor(explanation: string) {
    super(explanation);
    this.reason = closeReason("forbidden-write", explanation);
  }
}

/**
 * Closing a document's connection for one Yjs update over the byte cap (writeGuard.ts,
 * MAX_UPDATE_BYTES), before it is decoded: an honest device never sends one that large.
 */
export class UpdateTooLarge extends Error {
  readonly refusal = true;
  readonly metricLabel = "update-too-large";
  readonly code = CLOSE_CODES.updateTooLarge;
  readonly reason: string;
  constructor(explanation: string) {
    super(explanation);
    this.reason = closeReason("update-too-large", explanation);
  }
}

/** Refusing an update because the account is sending too fast: it stays pending on the client. */
export class RateLimited extends Error {
  readonly refusal = true;
  readonly metricLabel = "rate-limited";
  readonly code = CLOSE_CODES.rateLimited;
  readonly reason: string;
  constructor(explanation: string) {
    super(explanation);
    this.reason = closeReason("rate-limited", explanation);
  }
}

/**
 * Closing a document's connection for presence no honest provider sends (awarenessGuard.ts). Its own
 * prefix, because nothing of the document was refused: the client keeps its changes and reopens.
 */
export class ForbiddenPresence extends Error {
  readonly refusal = true;
  readonly code = CLOSE_CODES.forbidden;
  readonly reason: string;
  constructor(explanation: string) {
    super(explanation);
    this.reason = closeReason("forbidden-presence", explanation);
  }
}
