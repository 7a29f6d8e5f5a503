import type { FollowedThread } from "@chat/model";
import type { Queryable } from "../db/database.ts";

/**
 * Threads' numbers, from Postgres, beside the rooms' (queries.ts). A reply has its row in room_messages
 * like every message (with `thread_root`, and `in_room` false unless also sent to the room); a thread
 * with replies has a row in `threads`; each follower a row in `thread_follows` with the last reply they
 * read. A thread is small next to a room (tens of replies, a few followers), so its counts are made
 * from scratch when asked, from the (room_id, thread_root, seq) index, not kept and moved like the
 * rooms' counts.
 */

export interface NumberedReply {
  rootId: string;
  author: string;
  /** Lower-cased usernames the reply mentions. */
  mentions: readonly string[];
}

/**
 * Records that replies were numbered: each thread gets its row (the root's author and the start of its
 * text, when first replied to), and its followers theirs: the root's author, who replied, and who the
 * root or a reply mentions, among the room's members. `roots` holds what the caller knows of the roots
 * (found in the segment it numbered); a root it did not find is taken from room_messages, without a
 * preview until its next edit.
 */
export async function recordReplies(
  db: Queryable,
  roomId: string,
  replies: readonly NumberedReply[],
  roots: ReadonlyMap<string, { author: string; preview: string }>,
): Promise<void> {
  if (replies.length === 0) return;
  const rootIds = [...new Set(replies.map((reply) => reply.rootId))];
  await db.query(
    `insert into threads (room_id, root_id, root_author, preview)
     select $1, t.root_id, coalesce(t.author, x.author), coalesce(t.preview, '')
     from jsonb_to_recordset($2::jsonb) as t(root_id text, author text, preview text)
     left join room_messages x on x.room_id = $1 and x.message_id = t.root_id
     where coalesce(t.author, x.author) is not null
     on conflict do nothing`,
    [
      roomId,
      JSON.stringify(
        rootIds.map((rootId) => ({
          root_id: rootId,
          author: roots.get(rootId)?.author ?? null,
          preview: roots.get(rootId)?.preview ?? null,
        })),
      ),
    ],
  );
  await db.query(
    `with replies as (
       select r.root_id, r.author, r.mentions
       from jsonb_to_recordset($2::jsonb) as r(root_id text, author text, mentions jsonb)
     ), followers as (
       select root_id, author as user_id from replies
       union select t.root_id, t.root_author from threads t where t.room_id = $1 and t.root_id = any($3::text[])
       union select r.root_id, u.id from replies r
         cross join lateral jsonb_array_elements_text(r.mentions) as name(username)
         join users u on u.username = name.username
       union select x.message_id, u.id from room_messages x
         cross join lateral unnest(x.mentions) as name(username)
         join users u on u.username = name.username
         where x.room_id = $1 and x.message_id = any($3::text[])
     )
     insert into thread_follows (room_id, root_id, user_id)
     select $1, f.root_id, f.user_id from followers f
     join room_members m on m.room_id = $1 and m.user_id = f.user_id
     where exists (select 1 from threads t where t.room_id = $1 and t.root_id = f.root_id)
     on conflict do nothing`,
    [
      roomId,
      JSON.stringify(replies.map((r) => ({ root_id: r.rootId, author: r.author, mentions: r.mentions }))),
      rootIds,
    ],
  );
}

/** An edited root's text is the thread's preview; a deleted one's is empty. */
export async function recordRootEdit(
  db: Queryable,
  roomId: string,
  rootId: string,
  preview: string,
): Promise<void> {
  await db.query("update threads set preview = $3 where room_id = $1 and root_id = $2", [
    roomId,
    rootId,
    preview,
  ]);
}

/**
 * Moves a follower's read position in a thread forward (never back: a stale device cannot un-read).
 * Returns true when it moved. Someone who reads a thread they do not follow follows nothing.
 */
export async function recordThreadRead(
  db: Queryable,
  roomId: string,
  rootId: string,
  userId: string,
  seq: number,
): Promise<boolean> {
  const rows = await db.query(
    `update thread_follows set read_seq = $4
     where room_id = $1 and root_id = $2 and user_id = $3 and read_seq < $4
     returning read_seq`,
    [roomId, rootId, userId, seq],
  );
  return rows.length > 0;
}

interface ThreadRow {
  room_id: string;
  root_id: string;
  user_id: string;
  root_author: string;
  preview: string;
  replies: number | string;
  last_reply_at: number | string | null;
  unread: number | string;
  mentions: number | string;
}

/** A follower's entry, counted from scratch; only threads of rooms they are a member of. */
const THREAD_SQL = `
  select f.room_id, f.root_id, f.user_id, t.root_author, t.preview,
    (select count(*) from room_messages x
      where x.room_id = f.room_id and x.thread_root = f.root_id and not x.deleted) as replies,
    (select extract(epoch from max(x.sequenced_at)) * 1000 from room_messages x
      where x.room_id = f.room_id and x.thread_root = f.root_id and not x.deleted) as last_reply_at,
    (select count(*) from room_messages x
      where x.room_id = f.room_id and x.thread_root = f.root_id and x.seq > f.read_seq
        and x.author <> f.user_id and not x.deleted) as unread,
    (select count(*) from room_messages x
      where x.room_id = f.room_id and x.thread_root = f.root_id and x.seq > f.read_seq
        and x.author <> f.user_id and not x.deleted and u.username = any(x.mentions)) as mentions
  from thread_follows f
  join threads t on t.room_id = f.room_id and t.root_id = f.root_id
  join users u on u.id = f.user_id
  join room_members m on m.room_id = f.room_id and m.user_id = f.user_id`;

function toThread(row: ThreadRow): FollowedThread & { userId: string } {
  return {
    userId: row.user_id,
    roomId: row.room_id,
    rootId: row.root_id,
    replies: Number(row.replies),
    lastReplyAt: row.last_reply_at === null ? 0 : Math.round(Number(row.last_reply_at)),
    unread: Number(row.unread),
    mentions: Number(row.mentions),
    preview: row.preview,
    rootAuthor: row.root_author,
  };
}

/** The entries of some threads of a room for their followers (or only `userIds`). */
export async function threadEntries(
  db: Queryable,
  roomId: string,
  rootIds: readonly string[],
  userIds: readonly string[] | null = null,
): Promise<Array<FollowedThread & { userId: string }>> {
  if (rootIds.length === 0) return [];
  const rows = await db.query<ThreadRow>(
    `${THREAD_SQL} where f.room_id = $1 and f.root_id = any($2::text[])
       and ($3::text[] is null or f.user_id = any($3::text[]))`,
    [roomId, rootIds, userIds],
  );
  return rows.map(toThread);
}

/** Every thread a person follows, with its counts for them. */
export async function threadEntriesForUser(db: Queryable, userId: string): Promise<FollowedThread[]> {
  const rows = await db.query<ThreadRow>(`${THREAD_SQL} where f.user_id = $1`, [userId]);
  return rows.map((row) => {
    const { userId: _, ...entry } = toThread(row);
    return entry;
  });
}

/** What a reply to `rootId` may be: a numbered message of the room that is not a reply and not deleted. */
export async function rootFacts(
  db: Queryable,
  roomId: string,
  rootIds: readonly string[],
): Promise<Map<string, { threadRoot: string | null; deleted: boolean }>> {
  const rows = await db.query<{ message_id: string; thread_root: string | null; deleted: boolean }>(
    "select message_id, thread_root, deleted from room_messages where room_id = $1 and message_id = any($2::text[])",
    [roomId, rootIds],
  );
  return new Map(rows.map((row) => [row.message_id, { threadRoot: row.thread_root, deleted: row.deleted }]));
}
