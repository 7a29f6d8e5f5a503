import type * as Y from "yjs";
import type { Attachment } from "./attachments.ts";
import type { MessageRecord, MessageView } from "./messageShapes.ts";
import { createMessage } from "./messages.ts";
import type { NotifyLevel } from "./notifyLevels.ts";
import { observeTypes } from "./observe.ts";
import { newId, ROOTS } from "./schema.ts";
import type { CountedMessage } from "./unread.ts";

/**
 * Threads. A reply is an ordinary message of the room's segments that names its root (`threadRoot`),
 * so it is numbered, stored, checked, edited, deleted and reacted to like every message; only where
 * it shows and what it counts toward differ:
 * - in the room's timeline only with `alsoInRoom` ("Also send to room"), and only then in the room's
 *   unread count (unread.ts);
 * - in its thread always, and in the thread's counts for the people who follow it: the root's author,
 *   everyone who replied, everyone mentioned in the root or a reply (the server keeps them in Postgres);
 * - each follower's read position in a thread is their own entry of the room document's `threadReads`
 *   (the sequence number of the last reply they read), so reading on one device clears the thread's
 *   count on all of them, as reading a room does.
 * The per-user index carries each followed thread with its counts (`threads`), written by the server.
 */

/** Builds a reply (throws MessageRejected with a sentence for the person, like createMessage). */
export function createReply(
  author: string,
  text: string,
  rootId: string,
  options: { alsoInRoom?: boolean; now?: number; id?: string; attachments?: readonly Attachment[] } = {},
): MessageRecord {
  const reply = createMessage(
    author,
    text,
    options.now ?? Date.now(),
    options.id ?? newId(),
    options.attachments,
  );
  reply.threadRoot = rootId;
  if (options.alsoInRoom) reply.alsoInRoom = true;
  return reply;
}

export function isReply(message: Pick<MessageRecord, "threadRoot">): boolean {
  return message.threadRoot !== undefined;
}

/** Whether the message belongs in the room's timeline: not a reply, or a reply also sent to the room. */
export function showsInRoom(message: Pick<MessageRecord, "threadRoot" | "alsoInRoom">): boolean {
  return message.threadRoot === undefined || message.alsoInRoom === true;
}

/** A thread as its root shows it in the room: "2 replies, last reply from bob 3 minutes ago". */
export interface ThreadSummary {
  /** Replies that are not deleted. */
  count: number;
  /** When the newest of them came (MessageView.at). */
  lastAt: number;
  /** Who replied, most recent first, each once. */
  repliers: string[];
}

/** The threads among `views` (any order), by root id; a thread whose replies are all deleted has none. */
export function summarizeThreads(views: readonly MessageView[]): Map<string, ThreadSummary> {
  const byRoot = new Map<string, MessageView[]>();
  for (const view of views) {
    if (view.threadRoot === undefined || view.deleted) continue;
    const replies = byRoot.get(view.threadRoot);
    if (replies) replies.push(view);
    else byRoot.set(view.threadRoot, [view]);
  }
  const summaries = new Map<string, ThreadSummary>();
  for (const [rootId, replies] of byRoot) {
    replies.sort((a, b) => b.at - a.at);
    summaries.set(rootId, {
      count: replies.length,
      lastAt: replies[0]!.at,
      repliers: [...new Set(replies.map((reply) => reply.author))],
    });
  }
  return summaries;
}

/** The replies to `rootId` among views already in display order (listMessages), deleted ones included. */
export function threadRepliesOf(views: readonly MessageView[], rootId: string): MessageView[] {
  return views.filter((view) => view.threadRoot === rootId);
}

/**
 * The thread rule, beside the room's (unread.ts): a reply is unread for a follower when it is numbered
 * after their read position in the thread, someone else wrote it and it is not deleted.
 */
export function countThreadUnread(
  replies: readonly CountedMessage[],
  user: { id: string; username: string },
  threadReadSeq: number,
): { unread: number; mentions: number } {
  let unread = 0;
  let mentions = 0;
  const username = user.username.toLowerCase();
  for (const reply of replies) {
    if (reply.seq === null || reply.seq <= threadReadSeq || reply.author === user.id || reply.deleted)
      continue;
    unread++;
    if (reply.mentions.includes(username)) mentions++;
  }
  return { unread, mentions };
}

/** Who follows a thread, from its root and replies: their authors and everyone they mention (usernames). */
export function threadFollowers(
  root: Pick<MessageRecord, "author" | "mentions">,
  replies: readonly Pick<MessageRecord, "author" | "mentions">[],
): { userIds: Set<string>; usernames: Set<string> } {
  const userIds = new Set<string>([root.author]);
  const usernames = new Set<string>(root.mentions);
  for (const reply of replies) {
    userIds.add(reply.author);
    for (const name of reply.mentions) usernames.add(name);
  }
  return { userIds, usernames };
}

// --- read positions in threads (room document, each member their own keys) ---

const threadReads = (doc: Y.Doc) => doc.getMap<number>(ROOTS.room.threadReads);

/** The key of a person's read position in a thread: `${userId}/${rootId}` (ids hold no "/"). */
export function threadReadKey(userId: string, rootId: string): string {
  return `${userId}/${rootId}`;
}

/** Splits a `threadReads` key, or null when it is not one. */
export function parseThreadReadKey(key: string): { userId: string; rootId: string } | null {
  const parts = key.split("/");
  if (parts.length !== 2 || !parts[0] || !parts[1]) return null;
  return { userId: parts[0], rootId: parts[1] };
}

export function threadReadPosition(doc: Y.Doc, userId: string, rootId: string): number {
  return threadReads(doc).get(threadReadKey(userId, rootId)) ?? 0;
}

/** Moves the person's position in the thread forward to `seq` (never back); false when nothing changed. */
export function markThreadReadUpTo(doc: Y.Doc, userId: string, rootId: string, seq: number): boolean {
  if (!Number.isSafeInteger(seq) || seq <= threadReadPosition(doc, userId, rootId)) return false;
  doc.transact(() => threadReads(doc).set(threadReadKey(userId, rootId), seq));
  return true;
}

/** Every person's position in every thread of the room (server: mirrored into Postgres). */
export function threadReadPositions(doc: Y.Doc): ReadonlyMap<string, number> {
  return new Map(threadReads(doc).entries());
}

export function observeThreadReads(doc: Y.Doc, callback: () => void): () => void {
  const handler = () => callback();
  threadReads(doc).observe(handler);
  return () => threadReads(doc).unobserve(handler);
}

// --- followed threads in the per-user index (server-written) ---

/** A thread the person follows, with its counts for them, in their index (`threads`, key `${roomId}/${rootId}`). */
export interface FollowedThread {
  roomId: string;
  rootId: string;
  /** Replies that are not deleted. */
  replies: number;
  /** ms since epoch when the newest reply was numbered (0 when there is none). */
  lastReplyAt: number;
  unread: number;
  mentions: number;
  /** The start of the root's text (PREVIEW_LENGTH), for the list. */
  preview: string;
  /** User id of who wrote the root. */
  rootAuthor: string;
}

const followedThreads = (doc: Y.Doc) => doc.getMap<FollowedThread>(ROOTS.user.threads);

export function followedThreadKey(roomId: string, rootId: string): string {
  return `${roomId}/${rootId}`;
}

/** Server only. Writes the entry unless it holds these values already (so a recount changes nothing needlessly). */
export function putFollowedThread(doc: Y.Doc, entry: FollowedThread): boolean {
  const key = followedThreadKey(entry.roomId, entry.rootId);
  const current = followedThreads(doc).get(key);
  if (current && sameFollowedThread(current, entry)) return false;
  doc.transact(() => followedThreads(doc).set(key, { ...entry }));
  return true;
}

function sameFollowedThread(a: FollowedThread, b: FollowedThread): boolean {
  return (
    a.replies === b.replies &&
    a.lastReplyAt === b.lastReplyAt &&
    a.unread === b.unread &&
    a.mentions === b.mentions &&
    a.preview === b.preview &&
    a.rootAuthor === b.rootAuthor
  );
}

/** Server only: the person no longer follows it (left the room, or the root is gone). */
export function removeFollowedThread(doc: Y.Doc, roomId: string, rootId: string): void {
  const key = followedThreadKey(roomId, rootId);
  if (followedThreads(doc).has(key)) doc.transact(() => followedThreads(doc).delete(key));
}

export function listFollowedThreads(doc: Y.Doc): FollowedThread[] {
  return [...followedThreads(doc).values()];
}

export function observeFollowedThreads(doc: Y.Doc, callback: () => void): () => void {
  return observeTypes(doc, [followedThreads(doc)], callback);
}

/**
 * Unread replies across every followed thread: what the nav's "Threads" link shows. With `levelOf`
 * (each thread's room's notification level, or null for a room left out, e.g. archived), what the tab
 * title adds to the rooms' count (userIndex.ts totalUnread): a muted room's threads add their mentions
 * only, as the room itself does.
 */
export function totalThreadUnread(
  entries: readonly FollowedThread[],
  levelOf: (entry: FollowedThread) => NotifyLevel | null = () => "all",
): number {
  let total = 0;
  for (const entry of entries) {
    const level = levelOf(entry);
    if (level !== null) total += level === "nothing" ? entry.mentions : entry.unread;
  }
  return total;
}

/** The Threads list: unread ones first, then the most recent reply first. */
export function threadsForList(entries: readonly FollowedThread[]): FollowedThread[] {
  return [...entries].sort(
    (a, b) =>
      Number(b.unread > 0) - Number(a.unread > 0) ||
      b.lastReplyAt - a.lastReplyAt ||
      a.rootId.localeCompare(b.rootId),
  );
}
