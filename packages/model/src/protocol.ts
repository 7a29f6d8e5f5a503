/**
 * The words the sync server and its clients exchange besides Yjs itself (docs/api.md): how the
 * server closes a socket or one document's connection, and why. Defined once, here; both apps
 * import them, so a new refusal cannot be understood on one side and not the other.
 */

/** WebSocket close codes of the whole socket, and of one document's connection over it. */
export const CLOSE_CODES = {
  /** "Try again later": the server cannot do its part right now (the database is away). */
  retryLater: 1013,
  /** A frame that is not a Hocuspocus message. */
  malformed: 4400,
  /** The session was signed out (or its password changed) while the socket was open. */
  signedOut: 4401,
  /** A document's connection closed for a write or presence that broke a rule. */
  forbidden: 4403,
  /** A document's connection closed for one Yjs update over the byte cap. */
  updateTooLarge: 4413,
  /** The socket or the account is over a rate limit. */
  rateLimited: 4429,
} as const;

/**
 * The reason a socket closes with (4401) when the workspace admin deactivated its person: the app
 * says so on the sign-in page instead of a bare "signed out".
 */
export const ACCOUNT_DEACTIVATED_REASON = "account deactivated";

/**
 * Why a document could not be opened: the provider's "authentication failed" reason.
 * `too-many-documents`: the socket or account holds as many open documents as it may.
 */
export const OPEN_REFUSALS = [
  "unauthenticated",
  "not-found",
  "forbidden",
  "unavailable",
  "outdated-client",
  "too-many-documents",
] as const;
export type OpenRefusal = (typeof OPEN_REFUSALS)[number];

export function isOpenRefusal(reason: string): reason is OpenRefusal {
  return (OPEN_REFUSALS as readonly string[]).includes(reason);
}

/**
 * What a closed connection's reason says, as `<kind>: <why>`. A per-document close reaches the
 * provider with code 1000 (Hocuspocus 4.7 sends only the reason), so clients tell the kinds apart by
 * the reason's prefix.
 */
export const CLOSE_KINDS = [
  "forbidden-write",
  "forbidden-presence",
  "update-too-large",
  "rate-limited",
  /** The person left the room or was removed from it: the document is theirs no longer. */
  "membership-ended",
  /**
   * The person joined the room (or was added) while their device had it open read-only, as a
   * preview: the device opens it again at once and is now let write.
   */
  "membership-began",
] as const;
export type CloseKind = (typeof CLOSE_KINDS)[number];

/** A WebSocket close reason is at most 123 bytes; the server keeps to 120 characters of ASCII. */
const MAX_REASON_LENGTH = 120;

export function closeReason(kind: CloseKind, explanation: string): string {
  return `${kind}: ${explanation}`.slice(0, MAX_REASON_LENGTH);
}

/** The kind and the explanation of a close reason, or null for a reason that is none of ours. */
export function parseCloseReason(reason: string): { kind: CloseKind; explanation: string } | null {
  for (const kind of CLOSE_KINDS)
    if (reason.startsWith(`${kind}:`)) return { kind, explanation: reason.slice(kind.length + 1).trim() };
  return null;
}
