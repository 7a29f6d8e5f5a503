import type { AdminAction, AuditEntry } from "@chat/model";
import type { Queryable } from "../db/database.ts";

/**
 * The audit table: every admin action, who did it, what and when (issue 21). Written in the same
 * transaction as the action where there is one, so an action is never done without its row. The
 * admin reads it in Settings → People (GET /api/admin/audit).
 */
export interface AdminActionRecord {
  actor: string;
  action: AdminAction;
  /** The sentence the admin reads: "alice deactivated bob". */
  summary: string;
  targetUser?: string | null;
  roomId?: string | null;
}

export async function recordAdminAction(db: Queryable, record: AdminActionRecord): Promise<void> {
  await db.query(
    "insert into admin_audit (actor, action, target_user, room_id, summary) values ($1, $2, $3, $4, $5)",
    [record.actor, record.action, record.targetUser ?? null, record.roomId ?? null, record.summary],
  );
}

export const AUDIT_PAGE = 200;

/** The newest entries first, `AUDIT_PAGE` at a time; `before` (an entry id) pages back. */
export async function listAdminActions(db: Queryable, before: string | null = null): Promise<AuditEntry[]> {
  const rows = await db.query<{
    id: string | number;
    at: Date | string;
    actor: string | null;
    actor_username: string | null;
    action: AdminAction;
    summary: string;
  }>(
    `select a.id, a.at, a.actor, u.username as actor_username, a.action, a.summary
       from admin_audit a left join users u on u.id = a.actor
      where $1::bigint is null or a.id < $1::bigint
      order by a.id desc limit ${AUDIT_PAGE}`,
    [before],
  );
  return rows.map((row) => ({
    id: String(row.id),
    at: new Date(row.at).getTime(),
    actor: row.actor && row.actor_username ? { id: row.actor, username: row.actor_username } : null,
    action: row.action,
    summary: row.summary,
  }));
}
