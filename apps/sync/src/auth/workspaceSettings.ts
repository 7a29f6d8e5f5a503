import type { WorkspaceSettings } from "@chat/model";
import type { Queryable } from "../db/database.ts";
import { Refused } from "../refused.ts";
import type { SessionUser } from "./sessions.ts";

export type { WorkspaceSettings };

export async function readWorkspaceSettings(db: Queryable): Promise<WorkspaceSettings> {
  const [row] = await db.query<{ invite_only: boolean }>("select invite_only from workspace_settings");
  return { inviteOnly: row?.invite_only ?? false };
}

/** Only the workspace admin (the first account) changes the settings. */
export function assertWorkspaceAdmin(user: SessionUser): void {
  if (!user.isAdmin) throw new Refused("forbidden", "Only the workspace admin can change this setting.");
}

export async function updateWorkspaceSettings(
  db: Queryable,
  user: SessionUser,
  input: WorkspaceSettings,
): Promise<WorkspaceSettings> {
  assertWorkspaceAdmin(user);
  await db.query(
    `insert into workspace_settings (id, invite_only, updated_by, updated_at) values (true, $1, $2, now())
     on conflict (id) do update set invite_only = $1, updated_by = $2, updated_at = now()`,
    [input.inviteOnly, user.id],
  );
  return { inviteOnly: input.inviteOnly };
}
