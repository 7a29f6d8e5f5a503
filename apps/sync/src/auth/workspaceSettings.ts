import type { Queryable } from "../db/database.ts";
import { RequestError } from "./accounts.ts";
import type { SessionUser } from "./sessions.ts";

export interface WorkspaceSettings {
  /** Sign-up needs a valid invite link. */
  inviteOnly: boolean;
}

export async function readWorkspaceSettings(db: Queryable): Promise<WorkspaceSettings> {
  const [row] = await db.query<{ invite_only: boolean }>("select invite_only from workspace_settings");
  return { inviteOnly: row?.invite_only ?? false };
}

/** Only the workspace admin (the first account) changes the settings. */
export async function updateWorkspaceSettings(
  db: Queryable,
  user: SessionUser,
  body: unknown,
): Promise<WorkspaceSettings> {
  if (!user.isAdmin) throw new RequestError(403, "Only the workspace admin can change this setting.");
  const input = (body ?? {}) as Record<string, unknown>;
  if (typeof input.inviteOnly !== "boolean") throw new RequestError(400, "Send inviteOnly as true or false.");
  await db.query(
    `insert into workspace_settings (id, invite_only, updated_by, updated_at) values (true, $1, $2, now())
     on conflict (id) do update set invite_only = $1, updated_by = $2, updated_at = now()`,
    [input.inviteOnly, user.id],
  );
  return { inviteOnly: input.inviteOnly };
}
