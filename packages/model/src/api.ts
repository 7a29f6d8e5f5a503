/**
 * The HTTP API's words (docs/api.md): what the web app sends under /api/ and what the server
 * answers, defined once for both. Bodies are JSON; every refusal is `{ error }` with a sentence a
 * person can act on.
 */

import type { Attachment } from "./attachments.ts";
import type { RoomMeta } from "./rooms.ts";

/** A person as the API shows them. */
export interface ApiUser {
  id: string;
  username: string;
  displayName: string;
  /** The workspace admin (the first account). */
  isAdmin?: boolean;
  /** The person's status line ("" for none). */
  status?: string;
  /** Their avatar's id (GET /api/avatars/<id>), or null. */
  avatar?: string | null;
}

/** GET /api/session, and the answer to signing up or in. */
export interface SessionResponse {
  user: ApiUser;
  /** The document schema the server speaks (model schema.ts): an older app must reload. */
  schemaVersion?: number;
  /**
   * The largest file one upload may be, in bytes (MAX_UPLOAD_MB), so the app can say a file is too
   * big when it is chosen, offline too, rather than after it waited to upload.
   */
  maxUploadBytes?: number;
}

export interface ErrorResponse {
  error: string;
}

/** POST /api/signup; `invite` is the token of an invite link, needed when sign-up is invite-only. */
export interface SignUpRequest {
  username: string;
  password: string;
  invite?: string;
}

/** POST /api/login */
export interface LogInRequest {
  username: string;
  password: string;
}

/** POST /api/password; the answer says how many other sessions were signed out. */
export interface PasswordChangeRequest {
  currentPassword: string;
  newPassword: string;
}
export interface PasswordChangeResponse {
  signedOutSessions: number;
}

/**
 * PATCH /api/profile: the signed-in person's own display name and status (either or both). Both are
 * trimmed; a display name is 1–64 characters, a status 0–100 ("" clears it), neither with control
 * characters. Answered with the person as stored; the `directory` carries it to everyone.
 */
export interface ProfileUpdateRequest {
  displayName?: string;
  status?: string;
}
export interface ProfileResponse {
  user: ApiUser;
}

/** POST /api/rooms */
export interface CreateRoomRequest {
  name: string;
  topic?: string;
  private?: boolean;
}

/** PATCH /api/rooms/:id (the creator's changes) */
export interface UpdateRoomRequest {
  name?: string;
  topic?: string;
  archived?: boolean;
}

/** POST /api/rooms/:id/members ("Add people") */
export interface AddPersonRequest {
  username: string;
}

/**
 * POST /api/conversations ("New message"): the other people by username (a leading "@" is fine; the
 * starter may be among them). One other person: their DM; 2–8: the group conversation of exactly
 * these people, the same room each time (201 when it was made now, 200 when it existed).
 */
export interface StartConversationRequest {
  usernames: string[];
}
export interface StartConversationResponse {
  room: RoomMeta;
}

/** GET and PATCH /api/workspace (PATCH: the admin only). */
export interface WorkspaceSettings {
  /** Sign-up needs a valid invite link. */
  inviteOnly: boolean;
}

export type InviteState = "active" | "expired" | "used up" | "revoked";

/** An invite link as listed (GET /api/invites): never its token, which only its maker saw once. */
export interface Invite {
  id: string;
  createdBy: { id: string; username: string };
  createdAt: number;
  expiresAt: number;
  /** null: any number of uses until it expires. */
  maxUses: number | null;
  uses: number;
  revoked: boolean;
  /** "active", or why the link no longer works. */
  state: InviteState;
}

/** POST /api/invites: the link is in the answer only this once (the server keeps a hash of its token). */
export interface CreateInviteRequest {
  expiresInHours?: number;
  maxUses?: number | null;
}
export interface CreatedInvite {
  invite: Invite;
  token: string;
  path: string;
}

/** POST /api/invites/check: who sent a working link (a link that no longer works is an error). */
export interface CheckInviteRequest {
  token: string;
}
export interface InviteCheck {
  valid: true;
  invitedBy: string;
}

/**
 * PUT /api/rooms/:roomId/files/:attachmentId (raw bytes as the body, `X-File-Name` the
 * encodeURIComponent of the name): 201 when stored, 200 when this uploader sent the same bytes
 * under that id before. The attachment is what the message record must carry, unchanged.
 */
export interface UploadFileResponse {
  file: Attachment;
}

/** One account in the admin's "People" section (GET /api/admin/people). */
export interface AdminPerson {
  id: string;
  username: string;
  displayName: string;
  isAdmin: boolean;
  /** Deactivated by an admin: cannot sign in; shown as "NAME (deactivated)". */
  deactivated: boolean;
  /** When the person was last active (a request or their socket), ms since the epoch; null: never. Kept to within a few minutes. */
  lastSeenAt: number | null;
  createdAt: number;
}
export interface PeopleResponse {
  people: AdminPerson[];
}

/** PATCH /api/admin/people/:id: exactly one of the two. */
export interface AdminPersonChange {
  isAdmin?: boolean;
  deactivated?: boolean;
}
export interface AdminPersonResponse {
  person: AdminPerson;
}

/** POST /api/admin/people/:id/password-reset: the link is in the answer only this once. */
export interface PasswordResetLink {
  path: string;
  expiresAt: number;
}

/** What the admin did, as the audit table keeps it (GET /api/admin/audit, newest first). */
export type AdminAction =
  | "admin-granted"
  | "admin-revoked"
  | "deactivated"
  | "reactivated"
  | "password-reset-issued"
  | "room-changed"
  | "member-added"
  | "member-removed"
  | "message-removed";
export interface AuditEntry {
  id: string;
  at: number;
  /** Who did it (null once their account is gone). */
  actor: { id: string; username: string } | null;
  action: AdminAction;
  /** The sentence shown: "alice deactivated bob". */
  summary: string;
}
export interface AuditResponse {
  entries: AuditEntry[];
}

/** POST /api/password-reset/check `{ token }`: whose password a working link resets. */
export interface PasswordResetCheck {
  username: string;
  expiresAt: number;
}
/** POST /api/password-reset: sets the new password; every session of the person is signed out. */
export interface PasswordResetRequest {
  token: string;
  newPassword: string;
}
export interface PasswordResetDone {
  username: string;
  signedOutSessions: number;
}
