import { newId, passwordProblem, type UserEntry, usernameProblem } from "@chat/model";
import type { Database, Queryable } from "../db/database.ts";
import { Refused } from "../refused.ts";
import { consumeInvite } from "./invites.ts";
import { decoyHash, hashPassword, verifyPassword } from "./passwords.ts";
import type { SessionUser } from "./sessions.ts";
import { readWorkspaceSettings } from "./workspaceSettings.ts";

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  password_hash: string;
  is_admin: boolean;
  created_at: Date | string;
}

const toSessionUser = (row: UserRow): SessionUser => ({
  id: row.id,
  username: row.username,
  displayName: row.display_name,
  isAdmin: row.is_admin,
});

export function toDirectoryEntry(
  row: { id: string; username: string; displayName: string },
  createdAt: number,
): UserEntry {
  return { id: row.id, username: row.username, displayName: row.displayName, createdAt };
}

export interface Credentials {
  /** Normalized (normalizeUsername). */
  username: string;
  password: string;
}

export interface SignUpInput extends Credentials {
  /** The invite token from the link, if any. */
  invite: string | null;
}

export interface PasswordChange {
  currentPassword: string;
  newPassword: string;
}

export const INVITE_ONLY_MESSAGE =
  "Sign-up is by invitation only. Ask a member of this workspace for an invite link.";

/**
 * Creates an account. The first account of the workspace is its admin. When sign-up is invite-only,
 * a valid invite token is required and used up in the same transaction as the insert, so a taken
 * username gives the use back.
 */
export async function signUp(
  db: Database,
  { username, password, invite }: SignUpInput,
): Promise<SessionUser> {
  const problem = usernameProblem(username) ?? passwordProblem(password);
  if (problem) throw new Refused("invalid", problem);
  const passwordHash = await hashPassword(password);
  const id = newId();
  const row = await db.transaction(async (tx) => {
    await tx.query("select pg_advisory_xact_lock(7319002)");
    const [{ count } = { count: 0 }] = await tx.query<{ count: number }>(
      "select count(*)::int as count from users",
    );
    let invitedBy: string | null = null;
    if (count > 0) {
      const { inviteOnly } = await readWorkspaceSettings(tx);
      if (inviteOnly && !invite) throw new Refused("forbidden", INVITE_ONLY_MESSAGE);
      // With open sign-up a dead invite does not stand in the way; with invite-only it must work.
      if (invite)
        invitedBy = await consumeInvite(tx, invite).catch((error) => {
          if (inviteOnly) throw error;
          return null;
        });
    }
    const [inserted] = await tx.query<UserRow>(
      `insert into users (id, username, display_name, password_hash, is_admin, invited_by)
       values ($1, $2, $2, $3, $4, $5)
       on conflict (username) do nothing
       returning *`,
      [id, username, passwordHash, count === 0, invitedBy],
    );
    if (!inserted) throw new Refused("conflict", `The username "${username}" is taken. Choose another one.`);
    return inserted;
  });
  return toSessionUser(row);
}

export async function signIn(db: Database, { username, password }: Credentials): Promise<SessionUser> {
  const [row] = await db.query<UserRow>("select * from users where username = $1", [username]);
  const ok = await verifyPassword(row?.password_hash ?? (await decoyHash()), password);
  if (!row || !ok) throw new Refused("wrong-credentials", "Wrong username or password.");
  return toSessionUser(row);
}

/**
 * Sets a new password after checking the current one; the caller revokes the other sessions. Every
 * check of the input comes before the password is verified, so a refusal other than 401 means the
 * current password was not checked (the sign-in throttle gives such an attempt back).
 */
export async function changePassword(db: Queryable, user: SessionUser, input: PasswordChange): Promise<void> {
  const problem = passwordProblem(input.newPassword);
  if (problem) throw new Refused("invalid", problem);
  if (input.newPassword === input.currentPassword)
    throw new Refused("invalid", "The new password must be different from the current one.");
  const [row] = await db.query<UserRow>("select * from users where id = $1", [user.id]);
  if (!row || !(await verifyPassword(row.password_hash, input.currentPassword)))
    throw new Refused("wrong-credentials", "The current password is not right.");
  await db.query("update users set password_hash = $1 where id = $2", [
    await hashPassword(input.newPassword),
    user.id,
  ]);
}

export async function listAccounts(db: Queryable): Promise<Array<UserEntry>> {
  const rows = await db.query<UserRow>(
    "select id, username, display_name, created_at from users order by created_at",
  );
  return rows.map((row) => ({
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    createdAt: new Date(row.created_at).getTime(),
  }));
}
