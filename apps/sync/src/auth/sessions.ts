import { createHash, randomBytes } from "node:crypto";
import type { Queryable } from "../db/database.ts";

/**
 * Sessions are random 256-bit tokens. Only their SHA-256 is stored, so a leaked database does not
 * hand out live sessions.
 */
export const SESSION_COOKIE = "chat_session";
export const SESSION_LIFETIME_MS = 30 * 24 * 3600 * 1000;

export interface SessionUser {
  id: string;
  username: string;
  displayName: string;
  isAdmin: boolean;
}

export interface Session {
  tokenHash: string;
  user: SessionUser;
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

export async function createSession(
  db: Queryable,
  userId: string,
): Promise<{ token: string; tokenHash: string }> {
  const token = randomBytes(32).toString("base64url");
  const tokenHash = hashToken(token);
  await db.query("insert into sessions (token_hash, user_id, expires_at) values ($1, $2, $3)", [
    tokenHash,
    userId,
    new Date(Date.now() + SESSION_LIFETIME_MS),
  ]);
  return { token, tokenHash };
}

/**
 * The session a cookie names, with its person. A deactivated person has no sessions (deactivating
 * deletes them); the join refuses theirs all the same, should one be written meanwhile.
 */
export async function findSession(db: Queryable, token: string | undefined): Promise<Session | null> {
  if (!token || token.length > 100) return null;
  const tokenHash = hashToken(token);
  const rows = await db.query<{ id: string; username: string; display_name: string; is_admin: boolean }>(
    `select u.id, u.username, u.display_name, u.is_admin
       from sessions s join users u on u.id = s.user_id
      where s.token_hash = $1 and s.expires_at > now() and u.deactivated_at is null`,
    [tokenHash],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    tokenHash,
    user: { id: row.id, username: row.username, displayName: row.display_name, isAdmin: row.is_admin },
  };
}

export async function deleteSession(db: Queryable, tokenHash: string): Promise<void> {
  await db.query("delete from sessions where token_hash = $1", [tokenHash]);
}

/** Revokes every session of `userId` except `keepTokenHash`; returns the revoked hashes (to close their sockets). */
export async function deleteOtherSessions(
  db: Queryable,
  userId: string,
  keepTokenHash: string,
): Promise<string[]> {
  const rows = await db.query<{ token_hash: string }>(
    "delete from sessions where user_id = $1 and token_hash <> $2 returning token_hash",
    [userId, keepTokenHash],
  );
  return rows.map((row) => row.token_hash);
}
