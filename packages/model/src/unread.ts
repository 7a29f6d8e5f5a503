import type * as Y from "yjs";
import type { MessageView } from "./messages.ts";
import { ROOTS } from "./schema.ts";

/**
 * Read positions are sequence numbers, kept per member in the room document. Each member moves only
 * their own. Reading moves it forward only (`markReadUpTo`: a stale device cannot un-read what another
 * device read); "Mark unread" moves it back on purpose (`markUnreadFrom`), and the server recounts.
 */
const reads = (doc: Y.Doc) => doc.getMap<number>(ROOTS.room.reads);

export function readPosition(doc: Y.Doc, userId: string): number {
  return reads(doc).get(userId) ?? 0;
}

export function markReadUpTo(doc: Y.Doc, userId: string, seq: number): boolean {
  if (!Number.isSafeInteger(seq) || seq <= readPosition(doc, userId)) return false;
  doc.transact(() => reads(doc).set(userId, seq));
  return true;
}

/**
 * Sets the read position to exactly `seq`, backwards too: what "Mark unread" needs. The server accepts
 * any position of one's own (rules.ts) and counts from it, clamped to the room's last number.
 * Returns false when it is not a sequence number or already there.
 */
export function setReadPosition(doc: Y.Doc, userId: string, seq: number): boolean {
  if (!Number.isSafeInteger(seq) || seq < 0 || seq === readPosition(doc, userId)) return false;
  doc.transact(() => reads(doc).set(userId, seq));
  return true;
}

/**
 * "Mark unread" on the message numbered `messageSeq`: the read position goes to just before it (back,
 * or forward when older messages were unread too), so it and everything after it count as unread.
 * False when it is not a sequence number or the position is there already.
 */
export function markUnreadFrom(doc: Y.Doc, userId: string, messageSeq: number): boolean {
  if (!Number.isSafeInteger(messageSeq) || messageSeq < 1) return false;
  return setReadPosition(doc, userId, messageSeq - 1);
}

/**
 * Whether the member's read marker as it stands was written by a device that had seen the value before
 * it: true for a deliberate move ("Mark unread" on a synced device, or reading on), false when another
 * device wrote it at the same time without knowing of the other write (say one device read up to 5
 * offline while another read up to 10). Yjs keeps one of two such writes by client id, not by which is
 * further on, so the server moves a position back only when this is true: a stale device cannot
 * un-read what another device read. (A Y.Map entry's item names as its origin the item it replaced
 * on the writing device; a concurrent write sits between the two.)
 */
export function readMarkerSupersedes(doc: Y.Doc, userId: string): boolean {
  const item = reads(doc)._map.get(userId);
  if (!item) return true;
  const before = item.left;
  if (!before) return item.origin === null;
  const last = before.lastId;
  return item.origin !== null && item.origin.client === last.client && item.origin.clock === last.clock;
}

/** Every member's read position (for receipts). */
export function readPositions(doc: Y.Doc): ReadonlyMap<string, number> {
  return new Map(reads(doc).entries());
}

export function observeReads(doc: Y.Doc, callback: () => void): () => void {
  const handler = () => callback();
  reads(doc).observe(handler);
  return () => reads(doc).unobserve(handler);
}

/**
 * The unread rule, shared by the server's counts and the UI's "New messages" divider: a message is
 * unread for a person when it is sequenced after their read position, someone else wrote it, it is
 * not deleted and it is a message (not a line about the room such as "alice added bob") shown in the
 * room (a thread's reply only when also sent to the room).
 */
export type CountedMessage = Pick<MessageView, "seq" | "author" | "mentions" | "deleted" | "event"> &
  Partial<Pick<MessageView, "threadRoot" | "alsoInRoom">>;

function isUnreadFor(message: CountedMessage, userId: string, readSeq: number): boolean {
  return (
    message.seq !== null &&
    message.seq > readSeq &&
    message.author !== userId &&
    !message.deleted &&
    message.event === undefined &&
    // A reply counts in its thread (threads.ts), and in the room only when also sent to it.
    (message.threadRoot === undefined || message.alsoInRoom === true)
  );
}

/** An unread message that mentions the person counts as a mention too. */
function mentionsFor(message: CountedMessage, username: string): boolean {
  return message.mentions.includes(username.toLowerCase());
}

export function countUnread(
  messages: readonly CountedMessage[],
  user: { id: string; username: string },
  readSeq: number,
): { unread: number; mentions: number } {
  let unread = 0;
  let mentions = 0;
  for (const message of messages) {
    if (!isUnreadFor(message, user.id, readSeq)) continue;
    unread++;
    if (mentionsFor(message, user.username)) mentions++;
  }
  return { unread, mentions };
}

/** The highest sequence number among `messages` (0 when none is sequenced): what "read everything" means. */
export function lastSequence(messages: readonly Pick<MessageView, "seq">[]): number {
  let last = 0;
  for (const message of messages) if (message.seq !== null && message.seq > last) last = message.seq;
  return last;
}

/** The id of the first unread message (where "New messages" goes), or null when all are read. */
export function firstUnreadId(
  messages: readonly (CountedMessage & { id: string })[],
  userId: string,
  readSeq: number,
): string | null {
  for (const message of messages) if (isUnreadFor(message, userId, readSeq)) return message.id;
  return null;
}
