import type { IndexedRoom, RoomKind } from "@chat/model";
import type { Queryable } from "../db/database.ts";

/**
 * The per-user index's numbers, from Postgres: every sequenced message has a row in room_messages and
 * every member's read position a row in room_reads, so any instance can count for any member without
 * loading a room document. The counting follows the model's unread rule (packages/model unread.ts):
 * sequenced after the read position, by someone else, not deleted; lines about the room are never
 * recorded here.
 */
export interface SequencedMessage {
  messageId: string;
  seq: number;
  author: string;
  mentions: readonly string[];
}

export async function recordSequenced(
  db: Queryable,
  roomId: string,
  messages: readonly SequencedMessage[],
): Promise<void> {
  if (messages.length === 0) return;
  await db.query(
    `insert into room_messages (room_id, seq, message_id, author, mentions)
     select $1, m.seq, m.message_id, m.author, array(select jsonb_array_elements_text(m.mentions))
     from jsonb_to_recordset($2::jsonb) as m(seq bigint, message_id text, author text, mentions jsonb)
     on conflict do nothing`,
    [
      roomId,
      JSON.stringify(
        messages.map((m) => ({
          seq: m.seq,
          message_id: m.messageId,
          author: m.author,
          mentions: m.mentions,
        })),
      ),
    ],
  );
}

/** An edit changes who a message mentions; a deletion takes it out of every count. */
export async function recordEdit(
  db: Queryable,
  roomId: string,
  messageId: string,
  change: { mentions: readonly string[]; deleted: boolean },
): Promise<void> {
  await db.query(
    "update room_messages set mentions = $3::text[], deleted = $4 where room_id = $1 and message_id = $2",
    [roomId, messageId, change.mentions, change.deleted],
  );
}

/** Moves a read position forward (never back). Returns true when it moved. */
export async function recordRead(
  db: Queryable,
  roomId: string,
  userId: string,
  seq: number,
): Promise<boolean> {
  const rows = await db.query(
    `insert into room_reads (room_id, user_id, read_seq) values ($1, $2, $3)
     on conflict (room_id, user_id) do update set read_seq = excluded.read_seq
     where room_reads.read_seq < excluded.read_seq
     returning read_seq`,
    [roomId, userId, seq],
  );
  return rows.length > 0;
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

const ENTRY_SQL = `
  select r.id as room_id, m.user_id, r.name, r.kind, r.archived,
    extract(epoch from coalesce(
      -- The newest row by the primary key, not max(sequenced_at): that scanned the room's whole history.
      (select x.sequenced_at from room_messages x where x.room_id = r.id order by x.seq desc limit 1),
      r.created_at)) * 1000
      as last_activity,
    (select count(*) from room_messages x
      where x.room_id = r.id and x.seq > coalesce(rr.read_seq, 0) and x.author <> m.user_id and not x.deleted)
      as unread,
    (select count(*) from room_messages x
      where x.room_id = r.id and x.seq > coalesce(rr.read_seq, 0) and x.author <> m.user_id and not x.deleted
        and u.username = any(x.mentions))
      as mentions
  from room_members m
  join rooms r on r.id = m.room_id
  join users u on u.id = m.user_id
  left join room_reads rr on rr.room_id = m.room_id and rr.user_id = m.user_id`;

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
    `${ENTRY_SQL} where m.room_id = $1 and ($2::text[] is null or m.user_id = any($2::text[]))`,
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
