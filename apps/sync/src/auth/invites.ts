import { randomBytes } from "node:crypto";
import { type Invite, newId } from "@chat/model";
import type { Queryable } from "../db/database.ts";
import { Refused } from "../refused.ts";
import { hashToken, type SessionUser } from "./sessions.ts";

/**
 * Invite links: `/invite/<token>`, where the token is 256 random bits and only its SHA-256 is stored
 * (a leaked database hands out no invites). A link expires, may be limited to a number of uses, and
 * can be revoked by whoever made it or by the admin. Any member may invite.
 */

export const MAX_INVITE_HOURS = 30 * 24;
export const MAX_INVITE_USES = 1_000;

interface InviteRow {
  id: string;
  created_by: string;
  creator: string;
  created_at: Date | string;
  expires_at: Date | string;
  max_uses: number | null;
  uses: number;
  revoked_at: Date | string | null;
}

function toInvite(row: InviteRow): Invite {
  const expiresAt = new Date(row.expires_at).getTime();
  const state = row.revoked_at
    ? "revoked"
    : expiresAt <= Date.now()
      ? "expired"
      : row.max_uses !== null && row.uses >= row.max_uses
        ? "used up"
        : "active";
  return {
    id: row.id,
    createdBy: { id: row.created_by, username: row.creator },
    createdAt: new Date(row.created_at).getTime(),
    expiresAt,
    maxUses: row.max_uses,
    uses: row.uses,
    revoked: row.revoked_at !== null,
    state,
  };
}

const SELECT = `select i.*, u.username as creator from invites i join users u on u.id = i.created_by`;

/** An invite to make, its bounds checked (MAX_INVITE_HOURS, MAX_INVITE_USES). */
export interface NewInvite {
  expiresInHours: number;
  /** null: unlimited. */
  maxUses: number | null;
}

export async function createInvite(
  db: Queryable,
  user: SessionUser,
  { expiresInHours: hours, maxUses }: NewInvite,
): Promise<{ invite: Invite; token: string }> {
  const token = randomBytes(32).toString("base64url");
  const id = newId();
  await db.query(
    "insert into invites (id, token_hash, created_by, expires_at, max_uses) values ($1, $2, $3, $4, $5)",
    [id, hashToken(token), user.id, new Date(Date.now() + hours * 3_600_000), maxUses],
  );
  const [row] = await db.query<InviteRow>(`${SELECT} where i.id = $1`, [id]);
  return { invite: toInvite(row!), token };
}

/** The admin sees every invite; a member sees their own. Newest first, revoked and dead ones included. */
export async function listInvites(db: Queryable, user: SessionUser): Promise<Invite[]> {
  const rows = user.isAdmin
    ? await db.query<InviteRow>(`${SELECT} order by i.created_at desc limit 200`)
    : await db.query<InviteRow>(`${SELECT} where i.created_by = $1 order by i.created_at desc limit 200`, [
        user.id,
      ]);
  return rows.map(toInvite);
}

export async function revokeInvite(db: Queryable, user: SessionUser, id: string): Promise<void> {
  const [row] = await db.query<{ created_by: string }>("select created_by from invites where id = $1", [id]);
  if (!row) throw new Refused("not-found", "There is no such invite.");
  if (row.created_by !== user.id && !user.isAdmin)
    throw new Refused("forbidden", "Only the person who made an invite, or the admin, can revoke it.");
  await db.query("update invites set revoked_at = coalesce(revoked_at, now()) where id = $1", [id]);
}

/** Why an invite token does not work, in a sentence the person at the sign-up page can act on; null when it works. */
export async function inviteProblem(
  db: Queryable,
  token: string,
): Promise<{ problem: string | null; invitedBy?: string }> {
  if (token.length === 0 || token.length > 100)
    return { problem: "This invite link is not valid. Ask for a new one." };
  const [row] = await db.query<InviteRow>(`${SELECT} where i.token_hash = $1`, [hashToken(token)]);
  if (!row) return { problem: "This invite link is not valid. Ask for a new one." };
  const invite = toInvite(row);
  const problems = {
    revoked: "This invite link was revoked. Ask for a new one.",
    expired: "This invite link has expired. Ask for a new one.",
    "used up": "This invite link has been used as many times as it allows. Ask for a new one.",
    active: null,
  } as const;
  return { problem: problems[invite.state], invitedBy: invite.createdBy.username };
}

/**
 * Uses an invite inside the sign-up transaction: one atomic update, so a single-use link admits one
 * person however many sign up with it at the same moment. Returns who made it, or throws why not.
 */
export async function consumeInvite(tx: Queryable, token: string): Promise<string> {
  const rows = await tx.query<{ created_by: string }>(
    `update invites set uses = uses + 1
      where token_hash = $1 and revoked_at is null and expires_at > now()
        and (max_uses is null or uses < max_uses)
      returning created_by`,
    [hashToken(token)],
  );
  if (rows[0]) return rows[0].created_by;
  const { problem } = await inviteProblem(tx, token);
  throw new Refused("forbidden", problem ?? "This invite link is not valid. Ask for a new one.");
}
