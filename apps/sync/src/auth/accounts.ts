import {
  type ApiUser,
  displayNameProblem,
  newId,
  normalizeProfileText,
  passwordProblem,
  statusProblem,
  type UserEntry,
  usernameProblem,
} from "@chat/model";
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
  status: string;
  avatar: string | null;
  deactivated_at: Date | string | null;
}

const toSessionUser = (row: UserRow): SessionUser => ({
  id: row.id,
  username: row.username,
  displayName: row.display_name,
  isAdmin: row.is_admin,
});

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

export const DEACTIVATED_MESSAGE =
  "This account has been deactivated by the workspace admin. Ask them to reactivate it.";

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
  // Said only to someone who knows the password: it reveals nothing to a guesser.
  if (row.deactivated_at !== null) throw new Refused("forbidden", DEACTIVATED_MESSAGE);
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
    "select id, username, display_name, created_at, status, avatar, deactivated_at from users order by created_at",
  );
  return rows.map((row) => ({
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    createdAt: new Date(row.created_at).getTime(),
    status: row.status,
    avatar: row.avatar,
    // Only when set: the entries of everyone else stay as they were stored.
    ...(row.deactivated_at !== null ? { deactivated: true } : {}),
  }));
}

export interface ProfileChange {
  displayName?: string;
  status?: string;
}

/**
 * The owner's change of their display name and/or status: each trimmed and checked (model
 * validation.ts) before anything is written, so a refusal changes nothing, not even the other field.
 */
export async function updateProfile(db: Queryable, userId: string, change: ProfileChange): Promise<ApiUser> {
  const displayName = change.displayName === undefined ? undefined : normalizeProfileText(change.displayName);
  const status = change.status === undefined ? undefined : normalizeProfileText(change.status);
  const problem =
    (displayName === undefined ? null : displayNameProblem(displayName)) ??
    (status === undefined ? null : statusProblem(status));
  if (problem) throw new Refused("invalid", problem);
  const [row] = await db.query<UserRow>(
    `update users set display_name = coalesce($2, display_name), status = coalesce($3, status)
     where id = $1 returning *`,
    [userId, displayName ?? null, status ?? null],
  );
  if (!row) throw new Refused("not-found", "Your account no longer exists.");
  return toApiUser(row);
}

/** A person as the API shows them (the answer to a profile change). */
export async function getApiUser(db: Queryable, userId: string): Promise<ApiUser> {
  const [row] = await db.query<UserRow>("select * from users where id = $1", [userId]);
  if (!row) throw new Refused("not-found", "Your account no longer exists.");
  return toApiUser(row);
}

/** Sets (or, with null, removes) the owner's avatar; returns the avatar it replaced, to delete its bytes. */
export async function setAvatar(
  db: Queryable,
  userId: string,
  avatar: string | null,
): Promise<string | null> {
  const [row] = await db.query<{ previous: string | null }>(
    `update users u set avatar = $2 from (select avatar from users where id = $1 for update) old
     where u.id = $1 returning old.avatar as previous`,
    [userId, avatar],
  );
  if (!row) throw new Refused("not-found", "Your account no longer exists.");
  return row.previous;
}

/** Whether any account shows this avatar (a signed-in person may see every avatar, as the directory lists them). */
export async function avatarExists(db: Queryable, avatar: string): Promise<boolean> {
  const rows = await db.query("select 1 from users where avatar = $1 limit 1", [avatar]);
  return rows.length > 0;
}

export const toApiUser = (row: UserRow): ApiUser => ({
  id: row.id,
  username: row.username,
  displayName: row.display_name,
  isAdmin: row.is_admin,
  status: row.status,
  avatar: row.avatar,
});
