import type { IndexedRoom, RoomKind } from "@chat/model";
import type { Database, Queryable } from "../db/database.ts";

/**
 * The per-user index's numbers, from Postgres: every sequenced message has a row in room_messages and
 * every member's read position a row in room_reads, so any instance can count for any member without
 * loading a room document. The counting follows the model's unread rule (packages/model unread.ts):
 * sequenced after the read position, by someone else, not deleted, shown in the room (`in_room`: a
 * thread's reply only when also sent to the room); lines about the room are never recorded here.
 *
 * The counts are kept in room_reads (`unread`, `mentions`) and moved as things happen: a numbered
 * message adds one to every member who has not read past it, in the statement that records it; a
 * read position counts its member afresh; an edit or a deletion counts afresh the members who had
 * not read past it. Counting every member from scratch on every recount cost members × unread rows
 * (a room of 50 with 500 unread: 25,000 rows, 30–70 ms in PGlite, several times a second).
 */

/** The unread messages and mentions of room_reads row `rr` (its user `u`), counted from scratch. */
const COUNT_UNREAD = `(select count(*) from room_messages x
   where x.room_id = rr.room_id and x.seq > rr.read_seq and x.author <> rr.user_id and not x.deleted
     and x.in_room)`;
const COUNT_MENTIONS = `(select count(*) from room_messages x
   where x.room_id = rr.room_id and x.seq > rr.read_seq and x.author <> rr.user_id and not x.deleted
     and x.in_room and u.username = any(x.mentions))`;

export interface SequencedMessage {
  messageId: string;
  seq: number;
  author: string;
  mentions: readonly string[];
  /** A reply's root (threadQueries.ts). */
  threadRoot?: string;
  /** False for a reply not also sent to the room: the room's counts leave it out. */
  inRoom?: boolean;
}

/**
 * The rows of numbered messages (`inserted`: those not recorded before) and, in the same statement,
 * one more unread (and mention) for every member who has not read past each of them (`counted`: the
 * room_reads rows moved, with their new counts). A message recorded twice (a numbering retried) is
 * counted once, as only rows actually inserted are counted. $1: the room, $2: the messages as JSON.
 */
const RECORD_SEQUENCED = `inserted as (
       insert into room_messages (room_id, seq, message_id, author, mentions, thread_root, in_room)
       select $1, m.seq, m.message_id, m.author, array(select jsonb_array_elements_text(m.mentions)),
         m.thread_root, m.in_room
       from jsonb_to_recordset($2::jsonb)
         as m(seq bigint, message_id text, author text, mentions jsonb, thread_root text, in_room boolean)
       on conflict do nothing
       returning seq, author, mentions, in_room, sequenced_at
     ),
     counted as (
       update room_reads rr set
         unread = rr.unread + (select count(*) from inserted i
           where i.in_room and i.seq > rr.read_seq and i.author <> rr.user_id),
         mentions = rr.mentions + (select count(*) from inserted i
           where i.in_room and i.seq > rr.read_seq and i.author <> rr.user_id and u.username = any(i.mentions))
       from users u
       where rr.room_id = $1 and u.id = rr.user_id
         and exists (select 1 from inserted i where i.in_room and i.seq > rr.read_seq and i.author <> rr.user_id)
       returning rr.user_id, rr.unread, rr.mentions
     )`;

function sequencedRows(messages: readonly SequencedMessage[]): string {
  return JSON.stringify(
    messages.map((m) => ({
      seq: m.seq,
      message_id: m.messageId,
      author: m.author,
      mentions: m.mentions,
      thread_root: m.threadRoot ?? null,
      in_room: m.inRoom ?? true,
    })),
  );
}

/** Records numbered messages and counts each of them for every member who has not read past it. */
export async function recordSequenced(
  db: Queryable,
  roomId: string,
  messages: readonly SequencedMessage[],
): Promise<void> {
  if (messages.length === 0) return;
  // One statement: the rows and the counts move together.
  await db.query(`with ${RECORD_SEQUENCED} select count(*) from counted`, [roomId, sequencedRows(messages)]);
}

/**
 * recordSequenced, answering with the room's index entry for each of its members as it stands once
 * the messages are counted (what entriesForRoom would answer next): the recount that follows a
 * numbering, without a statement of its own. A statement sees the tables as they were when it began,
 * so the new counts come from the rows it moved (`counted`) and the last activity from the rows it
 * inserted.
 */
export async function recordSequencedWithEntries(
  db: Queryable,
  roomId: string,
  messages: readonly SequencedMessage[],
): Promise<Array<IndexedRoom & { userId: string }>> {
  if (messages.length === 0) return entriesForRoom(db, roomId);
  const rows = await db.query<EntryRow>(
    `with ${RECORD_SEQUENCED}
     ${entrySql({
       // The messages just recorded are the room's newest (the statement cannot read them back).
       newest: `coalesce((select max(i.sequenced_at) from inserted i where i.in_room), ${newestInRoom("$1")})`,
       counted: "left join counted c on c.user_id = m.user_id",
       unread: "c.unread",
       mentions: "c.mentions",
       // A member with no room_reads row is counted from scratch: the table as it was, and the new rows.
       scratchUnread: "+ (select count(*) from inserted i where i.in_room and i.author <> m.user_id)",
       scratchMentions:
         "+ (select count(*) from inserted i where i.in_room and i.author <> m.user_id and u.username = any(i.mentions))",
     })}
     where m.room_id = $1`,
    [roomId, sequencedRows(messages)],
  );
  return rows.map(toEntry);
}

/**
 * Counts `userIds` (every member when null) of a room from scratch, giving members without a
 * room_reads row one (read nothing). Joining, and the few changes that are not a new message.
 */
export async function recountMembers(
  db: Queryable,
  roomId: string,
  userIds: readonly string[] | null,
  onlyUnreadBefore?: number,
): Promise<void> {
  await db.query(
    `insert into room_reads (room_id, user_id)
     select room_id, user_id from room_members
     where room_id = $1 and ($2::text[] is null or user_id = any($2::text[]))
     on conflict do nothing`,
    [roomId, userIds],
  );
  await db.query(
    `update room_reads rr set unread = ${COUNT_UNREAD}, mentions = ${COUNT_MENTIONS}
     from users u
     where rr.room_id = $1 and u.id = rr.user_id
       and ($2::text[] is null or rr.user_id = any($2::text[]))
       and ($3::bigint is null or rr.read_seq < $3)`,
    [roomId, userIds, onlyUnreadBefore ?? null],
  );
}

/** An edit changes who a message mentions; a deletion takes it out of every count. */
export async function recordEdit(
  db: Queryable,
  roomId: string,
  messageId: string,
  change: { mentions: readonly string[]; deleted: boolean },
): Promise<void> {
  const [row] = await db.query<{ seq: number | string }>(
    "update room_messages set mentions = $3::text[], deleted = $4 where room_id = $1 and message_id = $2 returning seq",
    [roomId, messageId, change.mentions, change.deleted],
  );
  // Only those who had not read past it counted it.
  if (row) await recountMembers(db, roomId, null, Number(row.seq));
}

/**
 * Moves a read position and counts its member afresh. Returns true when it moved. Forward only by
 * default: joining again, or a server-set position, never un-reads. `backwards` (the member's own
 * marker in the room document, which "Mark unread" moves back on purpose) takes the position as it
 * is, clamped to the room's last number, and the count is made from scratch from there, so messages
 * read before come back into it. In one transaction that locks the member's row first: a message
 * numbered meanwhile on another connection either committed before the count (and is in it) or waits
 * for the lock and is then counted against the new position, never lost between the two.
 */
export async function recordRead(
  db: Database,
  roomId: string,
  userId: string,
  seq: number,
  options: { backwards?: boolean } = {},
): Promise<boolean> {
  return db.transaction(async (tx) => {
    // xmax = 0: the row was inserted just now, so its counts are still to be made.
    const [row] = await tx.query<{ read_seq: number | string; inserted: boolean; last_seq: number | string }>(
      `insert into room_reads (room_id, user_id) values ($1, $2)
       on conflict (room_id, user_id) do update set read_seq = room_reads.read_seq
       returning read_seq, xmax = 0 as inserted,
         (select coalesce(r.last_seq, 0) from rooms r where r.id = $1) as last_seq`,
      [roomId, userId],
    );
    const current = Number(row!.read_seq);
    const target = options.backwards
      ? Math.max(0, Math.min(seq, Number(row!.last_seq ?? 0)))
      : Math.max(seq, current);
    const moved = target !== current;
    if (!moved && !row!.inserted) return false;
    await tx.query(
      `update room_reads rr set read_seq = $3,
         unread = ${COUNT_UNREAD.replaceAll("rr.read_seq", "$3")},
         mentions = ${COUNT_MENTIONS.replaceAll("rr.read_seq", "$3")}
       from users u
       where rr.room_id = $1 and rr.user_id = $2 and u.id = rr.user_id`,
      [roomId, userId, target],
    );
    return moved;
  });
}

export function readPositionsOf(
  db: Queryable,
  roomId: string,
): Promise<{ user_id: string; read_seq: number }[]> {
  return db.query("select user_id, read_seq from room_reads where room_id = $1", [roomId]);
}

export async function lastSeqOf(db: Queryable, roomId: string): Promise<number> {
  const [row] = await db.query<{ last_seq: number }>("select last_seq from rooms where id = $1", [roomId]);
  return Number(row?.last_seq ?? 0);
}

interface EntryRow {
  room_id: string;
  user_id: string;
  name: string;
  kind: RoomKind;
  archived: boolean;
  last_activity: number | string;
  unread: number | string;
  mentions: number | string;
}

/**
 * When the newest message shown in room `room` was numbered (null: none yet). The newest row by the
 * primary key, not max(sequenced_at): that scanned the room's whole history. Replies kept in their
 * thread do not move the room up the nav.
 */
function newestInRoom(room: string): string {
  return `(select x.sequenced_at from room_messages x where x.room_id = ${room} and x.in_room order by x.seq desc limit 1)`;
}

/**
 * The index entry of each member row `m`. `parts` lets recordSequencedWithEntries fold in what its own
 * statement changed, which the statement cannot read back from the tables.
 */
function entrySql(
  parts: {
    newest?: string;
    counted?: string;
    unread?: string;
    mentions?: string;
    scratchUnread?: string;
    scratchMentions?: string;
  } = {},
): string {
  return `
  select r.id as room_id, m.user_id,
    -- A group conversation is nameless: each of its people sees the others' usernames
    -- (model groupConversationName: sorted, joined by ", "; collation "C" sorts as JavaScript does).
    case when r.kind = 'group' then coalesce((select string_agg(o.username, ', ' order by o.username collate "C")
      from room_members om join users o on o.id = om.user_id
      where om.room_id = r.id and om.user_id <> m.user_id), '') else r.name end as name,
    r.kind, r.archived,
    extract(epoch from coalesce(${parts.newest ?? newestInRoom("r.id")}, r.created_at)) * 1000
      as last_activity,
    -- A member with no room_reads row yet (none of the paths that add one ran) is counted from scratch.
    coalesce(${parts.unread ? `${parts.unread}, ` : ""}rr.unread, (select count(*) from room_messages x
      where x.room_id = r.id and x.author <> m.user_id and not x.deleted and x.in_room) ${parts.scratchUnread ?? ""})
      as unread,
    coalesce(${parts.mentions ? `${parts.mentions}, ` : ""}rr.mentions, (select count(*) from room_messages x
      where x.room_id = r.id and x.author <> m.user_id and not x.deleted and x.in_room
        and u.username = any(x.mentions)) ${parts.scratchMentions ?? ""})
      as mentions
  from room_members m
  join rooms r on r.id = m.room_id
  join users u on u.id = m.user_id
  left join room_reads rr on rr.room_id = m.room_id and rr.user_id = m.user_id
  ${parts.counted ?? ""}`;
}

const ENTRY_SQL = entrySql();

function toEntry(row: EntryRow): IndexedRoom & { userId: string } {
  return {
    userId: row.user_id,
    roomId: row.room_id,
    name: row.name,
    kind: row.kind,
    archived: row.archived,
    lastActivity: Math.round(Number(row.last_activity)),
    unread: Number(row.unread),
    mentions: Number(row.mentions),
  };
}

/** The index entry of one room for each of its members (or only `userIds`). */
export async function entriesForRoom(
  db: Queryable,
  roomId: string,
  userIds: readonly string[] | null = null,
): Promise<Array<IndexedRoom & { userId: string }>> {
  const rows = await db.query<EntryRow>(
    // The room's newest message looked up once, not once for each member: on tables never analyzed,
    // as PGlite's are, the planner may read the room's whole history for it.
    `${entrySql({ newest: newestInRoom("$1") })} where m.room_id = $1 and ($2::text[] is null or m.user_id = any($2::text[]))`,
    [roomId, userIds],
  );
  return rows.map(toEntry);
}

/** Every room's index entry for one person. */
export async function entriesForUser(db: Queryable, userId: string): Promise<IndexedRoom[]> {
  const rows = await db.query<EntryRow>(`${ENTRY_SQL} where m.user_id = $1`, [userId]);
  return rows.map((row) => {
    const { userId: _, ...entry } = toEntry(row);
    return entry;
  });
}
