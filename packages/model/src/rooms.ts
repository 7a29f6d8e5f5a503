import type * as Y from "yjs";
import { observeTypes } from "./observe.ts";
import { ROOTS } from "./schema.ts";

/**
 * "dm" is a conversation of exactly two people (id `dm-<a>-<b>`); "group" is a nameless conversation
 * of 3–9 people (the starter and 2–8 others), started by POST /api/conversations, one room per set
 * of people.
 */
export type RoomKind = "channel" | "private" | "dm" | "group";

/** At most this many people besides the one who starts a group conversation. */
export const MAX_GROUP_OTHERS = 8;

/** A direct conversation (a DM or a group DM): listed under Direct messages, nameless, its people only. */
export function isDirectConversation(kind: RoomKind): boolean {
  return kind === "dm" || kind === "group";
}

/**
 * What a group conversation is called for one of its people: the others' usernames, sorted, joined
 * by ", " (the nav link's accessible name; display names may be shown beside it).
 */
export function groupConversationName(otherUsernames: readonly string[]): string {
  return [...otherUsernames].sort().join(", ");
}

/** What a room is. Written by the server only. */
export interface RoomMeta {
  id: string;
  name: string;
  kind: RoomKind;
  topic: string;
  archived: boolean;
  createdBy: string;
  createdAt: number;
}

const meta = (doc: Y.Doc) => doc.getMap<unknown>(ROOTS.room.meta);
const segments = (doc: Y.Doc) => doc.getArray<number>(ROOTS.room.segments);

/** Server only: sets up a new room document with its first history segment. */
export function initRoom(doc: Y.Doc, room: RoomMeta): void {
  doc.transact(() => {
    const map = meta(doc);
    for (const [key, value] of Object.entries(room)) map.set(key, value);
    if (segments(doc).length === 0) segments(doc).insert(0, [0]);
  });
}

/** The room's meta, or null until the document has loaded it. */
export function readRoomMeta(doc: Y.Doc): RoomMeta | null {
  const map = meta(doc);
  if (!map.has("id")) return null;
  return map.toJSON() as RoomMeta;
}

/**
 * History segment numbers, oldest first. The last one is where new messages go. (Two sync instances
 * sealing the same segment at once may both append its successor: duplicates are dropped here.)
 */
export function listSegments(doc: Y.Doc): number[] {
  return [...new Set(segments(doc).toArray())].sort((a, b) => a - b);
}

export function newestSegment(doc: Y.Doc): number {
  const all = listSegments(doc);
  return all.length === 0 ? 0 : all[all.length - 1]!;
}

/**
 * Server only: `sealed` is full, so new messages go to the next segment. Returns the new newest
 * segment, or null when `sealed` was not the newest (already sealed, or not yet listed).
 */
export function openNextSegment(doc: Y.Doc, sealed: number): number | null {
  if (listSegments(doc).length === 0 || newestSegment(doc) !== sealed) return null;
  const next = sealed + 1;
  doc.transact(() => segments(doc).insert(segments(doc).length, [next]));
  return next;
}

export function observeRoom(doc: Y.Doc, callback: () => void): () => void {
  return observeTypes(doc, [meta(doc), segments(doc)], callback);
}
