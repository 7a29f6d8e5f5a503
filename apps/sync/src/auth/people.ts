import type { AdminPerson } from "@chat/model";
import type { Database, Queryable } from "../db/database.ts";
import { Refused } from "../refused.ts";
import { recordAdminAction } from "./adminAudit.ts";
import type { SessionUser } from "./sessions.ts";

/**
 * The admin's "People": every account with its role and last activity, making another person admin
 * (or not), deactivating and reactivating accounts. Each change is one transaction with its audit row,
 * under one advisory lock, so two admins demoting or deactivating each other at once cannot leave the
 * workspace without an active admin.
 */
interface PersonRow {
  id: string;
  username: string;
  display_name: string;
  is_admin: boolean;
  deactivated_at: Date | string | null;
  last_seen_at: Date | string | null;
  created_at: Date | string;
}

const PERSON_COLUMNS = "id, username, display_name, is_admin, deactivated_at, last_seen_at, created_at";
const ADMIN_CHANGES_LOCK = 7319003;

const toPerson = (row: PersonRow): AdminPerson => ({
  id: row.id,
  username: row.username,
  displayName: row.display_name,
  isAdmin: row.is_admin,
  deactivated: row.deactivated_at !== null,
  lastSeenAt: row.last_seen_at === null ? null : new Date(row.last_seen_at).getTime(),
  createdAt: new Date(row.created_at).getTime(),
});

/** Someone who is not the admin hears that, whatever they asked. */
export function assertAdmin(user: SessionUser): void {
  if (!user.isAdmin) throw new Refused("forbidden", "Only the workspace admin can do this.");
}

export async function listPeople(db: Queryable): Promise<AdminPerson[]> {
  const rows = await db.query<PersonRow>(`select ${PERSON_COLUMNS} from users order by lower(username)`);
  return rows.map(toPerson);
}

async function lockedPerson(tx: Queryable, personId: string): Promise<PersonRow> {
  await tx.query("select pg_advisory_xact_lock($1)", [ADMIN_CHANGES_LOCK]);
  const [row] = await tx.query<PersonRow>(`select ${PERSON_COLUMNS} from users where id = $1`, [personId]);
  if (!row) throw new Refused("not-found", "There is no such person.");
  return row;
}

/** Refuses a change that would leave no active admin: only the last admin's own demotion or deactivation can. */
async function assertAnotherAdmin(tx: Queryable, person: PersonRow, doing: string): Promise<void> {
  if (!person.is_admin || person.deactivated_at !== null) return;
  const [{ count } = { count: 0 }] = await tx.query<{ count: number }>(
    "select count(*)::int as count from users where is_admin and deactivated_at is null and id <> $1",
    [person.id],
  );
  if (count === 0)
    throw new Refused(
      "conflict",
      `You are the last admin: make someone else admin before ${doing}. The workspace always keeps one.`,
    );
}

/** Makes `personId` an admin, or no longer one. Returns the person as they are now. */
export async function setAdmin(
  db: Database,
  by: SessionUser,
  personId: string,
  isAdmin: boolean,
): Promise<AdminPerson> {
  assertAdmin(by);
  return db.transaction(async (tx) => {
    const person = await lockedPerson(tx, personId);
    if (person.is_admin === isAdmin) return toPerson(person);
    if (!isAdmin) await assertAnotherAdmin(tx, person, "giving up the role");
    if (isAdmin && person.deactivated_at !== null)
      throw new Refused("conflict", `${person.username} is deactivated: reactivate them first.`);
    const [row] = await tx.query<PersonRow>(
      `update users set is_admin = $2 where id = $1 returning ${PERSON_COLUMNS}`,
      [personId, isAdmin],
    );
    await recordAdminAction(tx, {
      actor: by.id,
      action: isAdmin ? "admin-granted" : "admin-revoked",
      targetUser: personId,
      summary: isAdmin
        ? `${by.username} made ${person.username} an admin`
        : `${by.username} removed ${person.username} as admin`,
    });
    return toPerson(row!);
  });
}

/**
 * Deactivates an account: it can no longer sign in, every session of it is deleted (the caller closes
 * their sockets on every instance with the returned hashes), its messages stay.
 */
export async function deactivate(
  db: Database,
  by: SessionUser,
  personId: string,
): Promise<{ person: AdminPerson; revokedSessions: string[] }> {
  assertAdmin(by);
  return db.transaction(async (tx) => {
    const person = await lockedPerson(tx, personId);
    if (person.deactivated_at !== null)
      throw new Refused("conflict", `${person.username} is deactivated already.`);
    await assertAnotherAdmin(tx, person, "deactivating your account");
    const [row] = await tx.query<PersonRow>(
      `update users set deactivated_at = now() where id = $1 returning ${PERSON_COLUMNS}`,
      [personId],
    );
    const revoked = await tx.query<{ token_hash: string }>(
      "delete from sessions where user_id = $1 returning token_hash",
      [personId],
    );
    await recordAdminAction(tx, {
      actor: by.id,
      action: "deactivated",
      targetUser: personId,
      summary: `${by.username} deactivated ${person.username}`,
    });
    return { person: toPerson(row!), revokedSessions: revoked.map((r) => r.token_hash) };
  });
}

/** Lets a deactivated account sign in again (it has no sessions: its person signs in afresh). */
export async function reactivate(db: Database, by: SessionUser, personId: string): Promise<AdminPerson> {
  assertAdmin(by);
  return db.transaction(async (tx) => {
    const person = await lockedPerson(tx, personId);
    if (person.deactivated_at === null)
      throw new Refused("conflict", `${person.username} is not deactivated.`);
    const [row] = await tx.query<PersonRow>(
      `update users set deactivated_at = null where id = $1 returning ${PERSON_COLUMNS}`,
      [personId],
    );
    await recordAdminAction(tx, {
      actor: by.id,
      action: "reactivated",
      targetUser: personId,
      summary: `${by.username} reactivated ${person.username}`,
    });
    return toPerson(row!);
  });
}
