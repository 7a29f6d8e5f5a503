import { normalizeUsername } from "@chat/model";
import type { Credentials, PasswordChange, ProfileChange, SignUpInput } from "../auth/accounts.ts";
import { MAX_INVITE_HOURS, MAX_INVITE_USES, type NewInvite } from "../auth/invites.ts";
import type { NewRoom } from "../rooms/rooms.ts";
import { RequestError } from "./requestError.ts";

/**
 * Request bodies (parsed JSON, anything at all) checked into the typed input the domain functions
 * take. Each check refuses with the sentence the person sees.
 */
type Body = Record<string, unknown>;
const fields = (body: unknown): Body => (body ?? {}) as Body;

export function parseCredentials(body: unknown): Credentials {
  const input = fields(body);
  if (typeof input.username !== "string" || typeof input.password !== "string")
    throw new RequestError(400, "Enter a username and a password.");
  return { username: normalizeUsername(input.username), password: input.password };
}

export function parseSignUp(body: unknown): SignUpInput {
  const credentials = parseCredentials(body);
  const invite = fields(body).invite;
  return { ...credentials, invite: typeof invite === "string" && invite !== "" ? invite : null };
}

export function parsePasswordChange(body: unknown): PasswordChange {
  const input = fields(body);
  if (typeof input.currentPassword !== "string" || typeof input.newPassword !== "string")
    throw new RequestError(400, "Enter your current password and a new one.");
  return { currentPassword: input.currentPassword, newPassword: input.newPassword };
}

export function parseNewRoom(body: unknown): NewRoom {
  const input = fields(body);
  if (typeof input.name !== "string") throw new RequestError(400, "Give the room a name.");
  return {
    name: input.name,
    topic: typeof input.topic === "string" ? input.topic : "",
    private: input.private === true,
  };
}

export function parseWorkspaceSettings(body: unknown): { inviteOnly: boolean } {
  const input = fields(body);
  if (typeof input.inviteOnly !== "boolean") throw new RequestError(400, "Send inviteOnly as true or false.");
  return { inviteOnly: input.inviteOnly };
}

export function parseNewInvite(body: unknown): NewInvite {
  const input = fields(body);
  const hours = input.expiresInHours ?? 7 * 24;
  if (typeof hours !== "number" || !Number.isInteger(hours) || hours < 1 || hours > MAX_INVITE_HOURS)
    throw new RequestError(400, `An invite lasts between 1 hour and ${MAX_INVITE_HOURS / 24} days.`);
  const maxUses = input.maxUses ?? null;
  if (
    maxUses !== null &&
    (typeof maxUses !== "number" || !Number.isInteger(maxUses) || maxUses < 1 || maxUses > MAX_INVITE_USES)
  )
    throw new RequestError(400, `The number of uses is between 1 and ${MAX_INVITE_USES}, or unlimited.`);
  return { expiresInHours: hours, maxUses };
}

/** PATCH /api/profile: a display name, a status, or both, as text (their checks are the domain's). */
export function parseProfileChange(body: unknown): ProfileChange {
  const input = fields(body);
  const change: ProfileChange = {};
  for (const key of ["displayName", "status"] as const) {
    const value = input[key];
    if (value === undefined) continue;
    if (typeof value !== "string") throw new RequestError(400, `Send ${key} as text.`);
    change[key] = value;
  }
  if (change.displayName === undefined && change.status === undefined)
    throw new RequestError(400, "Send a displayName, a status, or both.");
  return change;
}
