import type * as Y from "yjs";
import { observeTypes } from "./observe.ts";
import { ROOTS } from "./schema.ts";

/** An account as everyone sees it. */
export interface UserEntry {
  id: string;
  /** The handle: what mentions, DM links and URLs use. Never changes. */
  username: string;
  /** What people see on messages, in the nav and on mention chips; the username until the owner sets one. */
  displayName: string;
  createdAt: number;
  /**
   * A short line the owner sets ("In a meeting"); "" for none. Optional because a directory stored on
   * a device before profiles existed has entries without it until the server's projection rewrites them.
   */
  status?: string;
  /** The id of the owner's avatar image (GET /api/avatars/<id>); absent or null: initials on a colour. */
  avatar?: string | null;
  /**
   * The admin deactivated the account: it cannot sign in, and its name shows as "NAME (deactivated)";
   * its messages stay. Absent on entries written before deactivation existed, and on active accounts.
   */
  deactivated?: boolean;
}

/** A public room as listed for everyone. Private rooms and DMs never appear in the directory. */
export interface RoomEntry {
  id: string;
  name: string;
  topic: string;
  archived: boolean;
  createdBy: string;
  createdAt: number;
}

const users = (doc: Y.Doc) => doc.getMap<UserEntry>(ROOTS.directory.users);
const rooms = (doc: Y.Doc) => doc.getMap<RoomEntry>(ROOTS.directory.rooms);

/** Server only: the directory is written through the HTTP API, never by clients. */
export function putUser(doc: Y.Doc, user: UserEntry): void {
  doc.transact(() => users(doc).set(user.id, user));
}

export function putPublicRoom(doc: Y.Doc, room: RoomEntry): void {
  doc.transact(() => rooms(doc).set(room.id, room));
}

export function listUsers(doc: Y.Doc): UserEntry[] {
  return [...users(doc).values()].sort((a, b) => a.username.localeCompare(b.username));
}

export function findUserByUsername(doc: Y.Doc, username: string): UserEntry | undefined {
  for (const user of users(doc).values()) if (user.username === username) return user;
  return undefined;
}

export function listPublicRooms(doc: Y.Doc): RoomEntry[] {
  return [...rooms(doc).values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Calls back whenever anything in the directory changes (for UI signals). Returns the unsubscribe. */
export function observeDirectory(doc: Y.Doc, callback: () => void): () => void {
  return observeTypes(doc, [users(doc), rooms(doc)], callback);
}
