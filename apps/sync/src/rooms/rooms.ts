import {
  dmParticipants,
  MAX_TOPIC_LENGTH,
  newId,
  normalizeRoomName,
  type RoomKind,
  type RoomMeta,
  roomNameProblem,
} from "@chat/model";
import type { Database, Queryable } from "../db/database.ts";
import { Refused } from "../refused.ts";
import { recountMembers } from "../userIndex/queries.ts";

/**
 * Rooms and membership as stored in Postgres: the authority for who may open which room document.
 * The documents mirror it (see projections/projections.ts).
 */
export interface RoomRow {
  id: string;
  kind: RoomKind;
  name: string;
  topic: string;
  archived: boolean;
  created_by: string;
  created_at: Date | string;
  last_seq: number;
  /** A group conversation's people (groupMemberKey); null for every other room. */
  member_key?: string | null;
}

export function toRoomMeta(row: RoomRow): RoomMeta {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    topic: row.topic,
    archived: row.archived,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).getTime(),
  };
}

/** A room to create: its name and topic as typed (they are normalized and checked here). */
export interface NewRoom {
  name: string;
  topic: string;
  private: boolean;
}

export async function createRoom(db: Database, creatorId: string, input: NewRoom): Promise<RoomRow> {
  const name = normalizeRoomName(input.name);
  const problem = roomNameProblem(name);
  if (problem) throw new Refused("invalid", problem);
  const topic = input.topic.trim();
  if (topic.length > MAX_TOPIC_LENGTH)
    throw new Refused("invalid", `A topic can be at most ${MAX_TOPIC_LENGTH} characters.`);
  const kind: RoomKind = input.private ? "private" : "channel";
  const row = await db.transaction(async (tx) => {
    const [inserted] = await tx.query<RoomRow>(
      `insert into rooms (id, kind, name, name_key, topic, created_by)
       values ($1, $2, $3, $4, $5, $6)
       on conflict (name_key) where kind <> 'dm' do nothing
       returning *`,
      [newId(), kind, name, name.toLowerCase(), topic, creatorId],
    );
    if (inserted) await addMember(tx, inserted.id, creatorId, creatorId);
    return inserted;
  });
  if (!row) throw new Refused("conflict", `A room named "${name}" already exists.`);
  return row;
}

export async function getRoom(db: Queryable, roomId: string): Promise<RoomRow | null> {
  const [row] = await db.query<RoomRow>("select * from rooms where id = $1", [roomId]);
  return row ?? null;
}

/**
 * The room and whether `userId` is in it, in one round trip: every document a device opens in a room
 * asks both (two statements per open, and a device opens a room's document and its newest segment).
 */
export async function getRoomAndMembership(
  db: Queryable,
  roomId: string,
  userId: string,
): Promise<{ room: RoomRow; member: boolean } | null> {
  const [row] = await db.query<RoomRow & { is_member: boolean }>(
    `select r.*, exists(select 1 from room_members m where m.room_id = r.id and m.user_id = $2) as is_member
     from rooms r where r.id = $1`,
    [roomId, userId],
  );
  if (!row) return null;
  const { is_member: member, ...room } = row;
  return { room: room as RoomRow, member };
}

export async function isMember(db: Queryable, roomId: string, userId: string): Promise<boolean> {
  const rows = await db.query("select 1 from room_members where room_id = $1 and user_id = $2", [
    roomId,
    userId,
  ]);
  return rows.length > 0;
}

/** Returns true when the person was not a member before. */
export async function addMember(
  db: Queryable,
  roomId: string,
  userId: string,
  addedBy: string,
): Promise<boolean> {
  const rows = await db.query(
    "insert into room_members (room_id, user_id, added_by) values ($1, $2, $3) on conflict do nothing returning user_id",
    [roomId, userId, addedBy],
  );
  if (rows.length === 0) return false;
  // The member's unread count starts from what they have not read (all of it, or, coming back, what
  // came after their old read position); from here on each message moves it (userIndex/queries.ts).
  await recountMembers(db, roomId, [userId]);
  return true;
}

/**
 * Returns true when the person was a member. Their room_reads row stays: coming back, they read on
 * from where they were (addMember recounts it).
 */
export async function deleteMember(db: Queryable, roomId: string, userId: string): Promise<boolean> {
  const rows = await db.query(
    "delete from room_members where room_id = $1 and user_id = $2 returning user_id",
    [roomId, userId],
  );
  return rows.length > 0;
}

export async function countMembers(db: Queryable, roomId: string): Promise<number> {
  const [row] = await db.query<{ count: number }>(
    "select count(*)::int as count from room_members where room_id = $1",
    [roomId],
  );
  return Number(row?.count ?? 0);
}

export interface MemberRow {
  user_id: string;
  added_by: string;
  joined_at: Date | string;
}

export function listMembers(db: Queryable, roomId: string): Promise<MemberRow[]> {
  return db.query<MemberRow>("select user_id, added_by, joined_at from room_members where room_id = $1", [
    roomId,
  ]);
}

export function listPublicRooms(db: Queryable): Promise<RoomRow[]> {
  return db.query<RoomRow>("select * from rooms where kind = 'channel' order by created_at");
}

export function listRoomsOf(db: Queryable, userId: string): Promise<RoomRow[]> {
  return db.query<RoomRow>(
    "select r.* from rooms r join room_members m on m.room_id = r.id where m.user_id = $1 order by r.created_at",
    [userId],
  );
}

/**
 * A direct conversation's room exists from the first time either person opens it. Returns null when
 * `roomId` is not a DM id, `userId` is not one of its two people, or the other person does not exist.
 */
export async function ensureDmRoom(db: Database, roomId: string, userId: string): Promise<RoomRow | null> {
  const pair = dmParticipants(roomId);
  if (!pair?.includes(userId) || pair[0] === pair[1]) return null;
  return db.transaction(async (tx) => {
    const users = await tx.query("select id from users where id = any($1::text[])", [pair]);
    if (users.length !== 2) return null;
    await tx.query(
      `insert into rooms (id, kind, name, name_key, created_by) values ($1, 'dm', '', $1, $2) on conflict (id) do nothing`,
      [roomId, userId],
    );
    for (const member of pair) await addMember(tx, roomId, member, userId);
    return getRoom(tx, roomId);
  });
}

/** The key of a group conversation's people: their ids, sorted, joined by spaces. */
export function groupMemberKey(userIds: readonly string[]): string {
  return [...new Set(userIds)].sort().join(" ");
}

/**
 * The group conversation of exactly `memberIds` (the starter among them): made with its people's
 * rows the first time, the same room every time after. The unique member_key decides a race: a
 * second instance's insert waits for the first's commit, does nothing, and reads the room it made.
 */
export async function ensureGroupRoom(
  db: Database,
  starterId: string,
  memberIds: readonly string[],
): Promise<{ room: RoomRow; created: boolean }> {
  const key = groupMemberKey(memberIds);
  return db.transaction(async (tx) => {
    const id = newId();
    const [inserted] = await tx.query<RoomRow>(
      `insert into rooms (id, kind, name, name_key, created_by, member_key) values ($1, 'group', '', $1, $2, $3)
       on conflict (member_key) where member_key is not null do nothing
       returning *`,
      [id, starterId, key],
    );
    if (inserted) {
      for (const member of key.split(" ")) await addMember(tx, id, member, starterId);
      return { room: inserted, created: true };
    }
    const [existing] = await tx.query<RoomRow>("select * from rooms where member_key = $1", [key]);
    if (!existing) throw new Error(`group conversation ${key} neither made nor found`);
    return { room: existing, created: false };
  });
}

/**
 * After someone left a group conversation it is the conversation of the people still in it, unless
 * another group already is (then starting one with these people opens that one, and this one keeps
 * no key), or fewer than three remain (two people are a DM).
 */
export async function rekeyGroup(db: Queryable, roomId: string): Promise<void> {
  const members = await listMembers(db, roomId);
  const key = members.length >= 3 ? groupMemberKey(members.map((m) => m.user_id)) : null;
  try {
    await db.query(
      `update rooms set member_key = case
         when $2::text is null or exists (select 1 from rooms o where o.member_key = $2 and o.id <> $1) then null
         else $2 end
       where id = $1 and kind = 'group'`,
      [roomId, key],
    );
  } catch (error) {
    // Another group took the same key at the same moment: that one is now the conversation of these people.
    if (!/unique|duplicate/i.test(String(error))) throw error;
    await db.query("update rooms set member_key = null where id = $1", [roomId]);
  }
}

/** Reserves `count` sequence numbers for a room and returns the first. */
export async function allocateSequence(db: Queryable, roomId: string, count: number): Promise<number> {
  const [row] = await db.query<{ last_seq: number }>(
    "update rooms set last_seq = last_seq + $2 where id = $1 returning last_seq",
    [roomId, count],
  );
  if (!row) throw new Error(`room ${roomId} does not exist`);
  return Number(row.last_seq) - count + 1;
}
