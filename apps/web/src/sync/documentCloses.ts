import { parseCloseReason } from "@chat/model";
import { reconnectDelay } from "./backoff";

/**
 * What to do when a document's provider reports a close (docs/api.md, "Close codes"). The server
 * closes one document, not the socket, with only a reason on the wire (the provider says code 1000):
 * `forbidden-write:` (a change broke a rule), `membership-ended:` (the person left the room or was
 * removed from it), `update-too-large:`, `forbidden-presence:`, or a close of Hocuspocus's own. The socket's own closes (4429, 1013, 4401, a lost network) reach the same
 * handler; those need nothing per document, since the provider opens every document again when the
 * socket reconnects.
 */
export type DocumentClose =
  /** The socket closed: every document reopens with it. */
  | { kind: "socket" }
  /** A change made here was refused: sending it again would be refused again. */
  | { kind: "write-refused"; explanation: string }
  /**
   * The person is no longer in the room: the document is theirs no longer. Opening it again would be
   * refused (a private room) or open a public room as a read-only preview; the app says they are out.
   */
  | { kind: "membership-ended"; explanation: string }
  /**
   * The person joined the room (or was added) while this device previewed it read-only: open it again
   * at once, now writable. Nothing went wrong, so no notice and no wait.
   */
  | { kind: "membership-began" }
  /** The server closed this document alone, for a reason that does not condemn the device's copy. */
  | { kind: "reopen"; explanation: string };

/** `socketOpen`: the socket is still connected, so the close was for this document alone. */
export function documentClose(reason: string, socketOpen: boolean): DocumentClose {
  const ours = parseCloseReason(reason);
  if (ours?.kind === "forbidden-write")
    return { kind: "write-refused", explanation: ours.explanation || "not allowed" };
  // Whatever the socket does next: a reconnect must not open it again either (the registry stops it).
  if (ours?.kind === "membership-ended")
    return { kind: "membership-ended", explanation: ours.explanation || "you are no longer in this room" };
  if (!socketOpen) return { kind: "socket" };
  if (ours?.kind === "membership-began") return { kind: "membership-began" };
  return { kind: "reopen", explanation: reason.trim() || "closed by the server" };
}

/**
 * An open that lasted this long was not refused again at once: the next close starts the waits over.
 * Shorter, and the same refusal is coming back (a change the server keeps refusing as too large), so
 * each retry waits longer (up to backoff.ts's 30 s) instead of hammering the server.
 */
export const STABLE_OPEN_MS = 30_000;

export interface Reopener {
  /** The server closed the document (or refused it as unavailable): reopen it after a wait. */
  closed(): void;
  /** Reopen it now, counting no failure (a close that asks for a prompt reopening). */
  now(): void;
  /** The document is open and synced again. */
  opened(): void;
  /** The document is being closed for good. */
  cancel(): void;
}

/** Schedules `reopen` after each close, waiting longer while the document keeps being closed at once. */
export function createReopener(
  reopen: () => void,
  options: { delay?: (failures: number) => number; now?: () => number } = {},
): Reopener {
  const delay = options.delay ?? reconnectDelay;
  const now = options.now ?? Date.now;
  let failures = 0;
  let openedAt: number | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const clear = () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };
  return {
    closed() {
      if (openedAt !== null && now() - openedAt >= STABLE_OPEN_MS) failures = 0;
      openedAt = null;
      failures += 1;
      clear();
      timer = setTimeout(() => {
        timer = null;
        reopen();
      }, delay(failures));
    },
    now() {
      clear();
      timer = setTimeout(() => {
        timer = null;
        reopen();
      }, 0);
    },
    opened() {
      openedAt = now();
    },
    cancel: clear,
  };
}
