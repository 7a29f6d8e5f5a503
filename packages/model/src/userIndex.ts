import type * as Y from "yjs";
import type { RoomKind } from "./rooms.ts";
import { ROOTS } from "./schema.ts";

/**
 * The per-user index (`user:<id>`): the rooms a person belongs to, so the left nav renders without
 * opening every room. The server writes these entries; the owner never does.
 */
export interface IndexedRoom {
  roomId: string;
  name: string;
  kind: RoomKind;
  /** ms since epoch of the last message, for ordering the nav. */
  lastActivity: number;
  unread: number;
  mentions: number;
}

const rooms = (doc: Y.Doc) => doc.getMap<IndexedRoom>(ROOTS.user.rooms);

/** Server only. */
export function putIndexedRoom(doc: Y.Doc, entry: IndexedRoom): void {
  doc.transact(() => rooms(doc).set(entry.roomId, entry));
}

export function getIndexedRoom(doc: Y.Doc, roomId: string): IndexedRoom | undefined {
  return rooms(doc).get(roomId);
}

export function listIndexedRooms(doc: Y.Doc): IndexedRoom[] {
  return [...rooms(doc).values()];
}

export function observeIndex(doc: Y.Doc, callback: () => void): () => void {
  const handler = () => callback();
  rooms(doc).observe(handler);
  return () => rooms(doc).unobserve(handler);
}
