import { randomBytes } from "node:crypto";
import { passwordProblem } from "@chat/model";
import type { Database, Queryable } from "../db/database.ts";
import { Refused } from "../refused.ts";
import { recordAdminAction } from "./adminAudit.ts";
import { hashPassword } from "./passwords.ts";
import { assertAdmin } from "./people.ts";
import { hashToken, type SessionUser } from "./sessions.ts";

/**
 * Password-reset links the admin issues for one person ("Reset password for NAME"): `/reset/<token>`,
 * 256 random bits of which only the SHA-256 is stored, valid 24 hours, used once. Using one sets a new
 * password and signs out every session of the person.
 */
export const PASSWORD_RESET_LIFETIME_MS = 24 * 3_600_000;

const USED = "This reset link was used already. Ask the workspace admin for a new one.";
const EXPIRED = "This reset link has expired (links last 24 hours). Ask the workspace admin for a new one.";
const UNKNOWN =
  "This reset link is not valid. Check that it was copied whole, or ask the admin for a new one.";
const DEACTIVATED = "This account is deactivated. Ask the workspace admin.";

export async function issuePasswordReset(
  db: Database,
  by: SessionUser,
  personId: string,
): Promise<{ token: string; expiresAt: number }> {
  assertAdmin(by);
  const token = randomBytes(32).toString("base64url");
  const expiresAt = Date.now() + PASSWORD_RESET_LIFETIME_MS;
  await db.transaction(async (tx) => {
    const [person] = await tx.query<{ username: string; deactivated_at: Date | null }>(
      "select username, deactivated_at from users where id = $1",
      [personId],
    );
    if (!person) throw new Refused("not-found", "There is no such person.");
    if (person.deactivated_at !== null)
      throw new Refused("conflict", `${person.username} is deactivated: reactivate them first.`);
    await tx.query(
      "insert into password_resets (token_hash, user_id, created_by, expires_at) values ($1, $2, $3, $4)",
      [hashToken(token), personId, by.id, new Date(expiresAt)],
    );
    await recordAdminAction(tx, {
      actor: by.id,
      action: "password-reset-issued",
      targetUser: personId,
      summary: `${by.username} issued a password-reset link for ${person.username}`,
    });
  });
  return { token, expiresAt };
}

interface ResetRow {
  user_id: string;
  username: string;
  expires_at: Date | string;
  used_at: Date | string | null;
  deactivated_at: Date | string | null;
}

/** Why a link does not work, or null when it does. */
function resetProblem(row: ResetRow | undefined): string | null {
  if (!row) return UNKNOWN;
  if (row.used_at !== null) return USED;
  if (new Date(row.expires_at).getTime() <= Date.now()) return EXPIRED;
  if (row.deactivated_at !== null) return DEACTIVATED;
  return null;
}

async function findReset(db: Queryable, token: string, lock = false): Promise<ResetRow | undefined> {
  if (token.length === 0 || token.length > 100) return undefined;
  const [row] = await db.query<ResetRow>(
    `select r.user_id, u.username, r.expires_at, r.used_at, u.deactivated_at
       from password_resets r join users u on u.id = r.user_id
      where r.token_hash = $1${lock ? " for update of r" : ""}`,
    [hashToken(token)],
  );
  return row;
}

/** For the reset page: whose password the link resets, or a refusal (410) saying why it does not work. */
export async function checkPasswordReset(
  db: Queryable,
  token: string,
): Promise<{ username: string; expiresAt: number }> {
  const row = await findReset(db, token);
  const problem = resetProblem(row);
  if (problem) throw new Refused("gone", problem);
  return { username: row!.username, expiresAt: new Date(row!.expires_at).getTime() };
}

/**
 * Sets the new password and uses the link up, in one transaction that locks the link's row: two
 * concurrent uses of one link, one sets the password, the other hears it was used. Every session of
 * the person is deleted (the caller closes their sockets with the returned hashes). The new password
 * is checked before the link is touched, so a refused password leaves the link working.
 */
export async function usePasswordReset(
  db: Database,
  token: string,
  newPassword: string,
): Promise<{ userId: string; username: string; revokedSessions: string[] }> {
  const problem = passwordProblem(newPassword);
  if (problem) throw new Refused("invalid", problem);
  const passwordHash = await hashPassword(newPassword);
  return db.transaction(async (tx) => {
    const row = await findReset(tx, token, true);
    const refusal = resetProblem(row);
    if (refusal) throw new Refused("gone", refusal);
    await tx.query("update password_resets set used_at = now() where token_hash = $1", [hashToken(token)]);
    await tx.query("update users set password_hash = $1 where id = $2", [passwordHash, row!.user_id]);
    const revoked = await tx.query<{ token_hash: string }>(
      "delete from sessions where user_id = $1 returning token_hash",
      [row!.user_id],
    );
    return {
      userId: row!.user_id,
      username: row!.username,
      revokedSessions: revoked.map((r) => r.token_hash),
    };
  });
}
