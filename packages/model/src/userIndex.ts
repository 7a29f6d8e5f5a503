import type * as Y from "yjs";
import type { NotifyLevel } from "./notifyLevels.ts";
import { observeTypes } from "./observe.ts";
import type { RoomKind } from "./rooms.ts";
import { ROOTS } from "./schema.ts";

/**
 * The per-user index (`user:<id>`): the rooms a person belongs to, so the left nav renders without
 * opening every room, and the messages that mentioned them. The server writes both (the unread rule
 * is in unread.ts); the owner never does.
 */
export interface IndexedRoom {
  roomId: string;
  name: string;
  kind: RoomKind;
  /** ms since epoch of the last message, for ordering the nav. */
  lastActivity: number;
  unread: number;
  mentions: number;
  /** Archived rooms leave the nav but stay readable. */
  archived: boolean;
}

/** A message that mentioned the person (newest MENTION_LIST_LIMIT kept). */
export interface MentionEntry {
  roomId: string;
  messageId: string;
  seq: number;
  /** User id of who wrote it. */
  author: string;
  /** ms since epoch when the server sequenced it. */
  at: number;
  /** The start of the message text, for notifications and the list. */
  preview: string;
}

export const MENTION_LIST_LIMIT = 100;
export const PREVIEW_LENGTH = 140;

const rooms = (doc: Y.Doc) => doc.getMap<IndexedRoom>(ROOTS.user.rooms);
const mentionList = (doc: Y.Doc) => doc.getMap<MentionEntry>(ROOTS.user.mentions);

/** Server only. */
export function putIndexedRoom(doc: Y.Doc, entry: IndexedRoom): void {
  doc.transact(() => rooms(doc).set(entry.roomId, entry));
}

/** Server only: the person is no longer in the room. */
export function removeIndexedRoom(doc: Y.Doc, roomId: string): void {
  if (rooms(doc).has(roomId)) doc.transact(() => rooms(doc).delete(roomId));
}

export function getIndexedRoom(doc: Y.Doc, roomId: string): IndexedRoom | undefined {
  return rooms(doc).get(roomId);
}

export function listIndexedRooms(doc: Y.Doc): IndexedRoom[] {
  return [...rooms(doc).values()];
}

/** Rooms for the nav: not archived, most recent activity first (then by name, for a stable order). */
export function roomsByActivity(entries: readonly IndexedRoom[]): IndexedRoom[] {
  return entries
    .filter((entry) => !entry.archived)
    .sort((a, b) => b.lastActivity - a.lastActivity || a.name.localeCompare(b.name));
}

/** What the tab title counts: unread messages in every room that is not archived (`levelOf`: each room's notification level). */
export function totalUnread(
  entries: readonly IndexedRoom[],
  levelOf: (entry: IndexedRoom) => NotifyLevel = () => "all",
): number {
  let total = 0;
  // A muted room ("Nothing", notifyLevels.ts) adds its mentions only, as its nav link shows.
  for (const entry of entries)
    if (!entry.archived) total += levelOf(entry) === "nothing" ? entry.mentions : entry.unread;
  return total;
}

/** Server only: records a mention, keeping the newest MENTION_LIST_LIMIT. */
export function putMention(doc: Y.Doc, mention: MentionEntry): void {
  doc.transact(() => {
    const list = mentionList(doc);
    list.set(mention.messageId, { ...mention, preview: mention.preview.slice(0, PREVIEW_LENGTH) });
    if (list.size <= MENTION_LIST_LIMIT) return;
    const oldest = [...list.values()].sort((a, b) => a.at - b.at).slice(0, list.size - MENTION_LIST_LIMIT);
    for (const entry of oldest) list.delete(entry.messageId);
  });
}

/** Mentions, newest first. */
export function listMentions(doc: Y.Doc): MentionEntry[] {
  return [...mentionList(doc).values()].sort((a, b) => b.at - a.at);
}

export function observeIndex(doc: Y.Doc, callback: () => void): () => void {
  return observeTypes(doc, [rooms(doc), mentionList(doc)], callback);
}
