import { type DoNotDisturb, type NotifyLevel, type RoomKind, resolveNotifyLevel } from "@chat/model";
import type { Queryable } from "../db/database.ts";

/**
 * Each person's notification levels and do-not-disturb schedule, mirrored from the `notify` map of
 * their user document (model notifyLevels.ts) into `notify_prefs`, so whoever decides whether to
 * call someone (a push) knows it without opening anyone's document, on any instance.
 */
export interface NotifyPrefs {
  level: NotifyLevel;
  dnd: DoNotDisturb | null;
}

/**
 * The level each of `userIds` gives `roomId` (their choice, or the default for the room's kind: a
 * direct conversation always "all", a room "mentions") and their schedule, in one query. Every id
 * asked for has an answer, whether or not they ever chose anything.
 */
export async function readNotifyPrefs(
  db: Queryable,
  userIds: string[],
  roomId: string,
): Promise<Map<string, NotifyPrefs>> {
  const prefs = new Map<string, NotifyPrefs>();
  if (userIds.length === 0) return prefs;
  const rows = await db.query<{
    user_id: string;
    stored: string | null;
    dnd: DoNotDisturb | null;
    kind: RoomKind | null;
  }>(
    `select ids.id as user_id, p.levels ->> $2 as stored, p.dnd, r.kind
     from unnest($1::text[]) as ids(id)
     left join notify_prefs p on p.user_id = ids.id
     left join rooms r on r.id = $2`,
    [[...new Set(userIds)], roomId],
  );
  for (const row of rows)
    prefs.set(row.user_id, {
      level: resolveNotifyLevel(row.stored, row.kind ?? "channel"),
      dnd: row.dnd ?? null,
    });
  return prefs;
}

/**
 * Stores a person's whole `notify` map as their device left it (model notifyPrefsOf). Writing the
 * same again changes nothing (not even `updated_at`), so repairing on every load is cheap.
 */
export async function writeNotifyPrefs(
  db: Queryable,
  userId: string,
  prefs: { levels: Record<string, NotifyLevel>; dnd: DoNotDisturb | null },
): Promise<void> {
  await db.query(
    `insert into notify_prefs (user_id, levels, dnd) values ($1, $2::jsonb, $3::jsonb)
     on conflict (user_id) do update set levels = excluded.levels, dnd = excluded.dnd, updated_at = now()
     where notify_prefs.levels is distinct from excluded.levels or notify_prefs.dnd is distinct from excluded.dnd`,
    [userId, JSON.stringify(prefs.levels), prefs.dnd === null ? null : JSON.stringify(prefs.dnd)],
  );
}
