import {
  addMember,
  getIndexedRoom,
  initRoom,
  listPublicRooms as listDirectoryRooms,
  listFollowedThreads,
  listIndexedRooms,
  listMembers as listMemberEntries,
  listUsers,
  markReadUpTo,
  putFollowedThread,
  putIndexedRoom,
  putPublicRoom,
  putUser,
  type RoomEntry,
  readRoomMeta,
  removeFollowedThread,
  removeIndexedRoom,
  removeMember,
  type UserEntry,
} from "@chat/model";
import type * as Y from "yjs";
import { listAccounts } from "../auth/accounts.ts";
import type { Queryable } from "../db/database.ts";
import { getRoom, listMembers, listPublicRooms, toRoomMeta } from "../rooms/rooms.ts";
import { entriesForUser, readPositionsOf } from "../userIndex/queries.ts";
import { threadEntriesForUser } from "../userIndex/threadQueries.ts";

/**
 * Postgres holds accounts, rooms and membership; the documents the server writes (`directory`, the
 * meta and members of `room:<id>`, the room list of `user:<id>`) are projections of it. Each function
 * reads what it needs, then returns a change to apply inside one transaction, writing only what
 * differs, so running it again is harmless. It runs when a document loads (which also repairs a
 * document that missed a change) and after every change to the rows it mirrors.
 */
export type Projection = (doc: Y.Doc) => void;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export async function directoryProjection(db: Queryable): Promise<Projection> {
  const users = await listAccounts(db);
  const rooms: RoomEntry[] = (await listPublicRooms(db)).map((row) => {
    const meta = toRoomMeta(row);
    return {
      id: meta.id,
      name: meta.name,
      topic: meta.topic,
      archived: meta.archived,
      createdBy: meta.createdBy,
      createdAt: meta.createdAt,
    };
  });
  return (doc) => {
    const currentUsers = new Map(listUsers(doc).map((u) => [u.id, u]));
    for (const user of users)
      if (!same(currentUsers.get(user.id), user)) putUser(doc, user satisfies UserEntry);
    const currentRooms = new Map(listDirectoryRooms(doc).map((r) => [r.id, r]));
    for (const room of rooms) if (!same(currentRooms.get(room.id), room)) putPublicRoom(doc, room);
  };
}

export async function roomProjection(db: Queryable, roomId: string): Promise<Projection> {
  const row = await getRoom(db, roomId);
  const members = await listMembers(db, roomId);
  // Read positions the server set (someone added by a mention starts just before it) move forward only.
  const reads = await readPositionsOf(db, roomId);
  return (doc) => {
    if (!row) return;
    const meta = toRoomMeta(row);
    if (!same(readRoomMeta(doc), meta)) initRoom(doc, meta);
    // Someone who left or was removed since: the list follows the rows both ways.
    const current = new Set(members.map((member) => member.user_id));
    for (const entry of listMemberEntries(doc))
      if (!current.has(entry.userId)) removeMember(doc, entry.userId);
    for (const member of members)
      addMember(doc, {
        userId: member.user_id,
        addedBy: member.added_by,
        joinedAt: new Date(member.joined_at).getTime(),
      });
    for (const read of reads) markReadUpTo(doc, read.user_id, Number(read.read_seq));
  };
}

export async function userIndexProjection(db: Queryable, userId: string): Promise<Projection> {
  const entries = await entriesForUser(db, userId);
  const threads = await threadEntriesForUser(db, userId);
  return (doc) => {
    // Threads of rooms the person is no longer in go too (the query counts only their rooms').
    const followed = new Set(threads.map((thread) => `${thread.roomId}/${thread.rootId}`));
    for (const thread of listFollowedThreads(doc))
      if (!followed.has(`${thread.roomId}/${thread.rootId}`))
        removeFollowedThread(doc, thread.roomId, thread.rootId);
    for (const thread of threads) putFollowedThread(doc, thread);
    // A room the person left or was taken out of goes from their index (and their nav).
    const current = new Set(entries.map((entry) => entry.roomId));
    for (const entry of listIndexedRooms(doc))
      if (!current.has(entry.roomId)) removeIndexedRoom(doc, entry.roomId);
    for (const entry of entries)
      if (!same(getIndexedRoom(doc, entry.roomId), entry)) putIndexedRoom(doc, entry);
  };
}
