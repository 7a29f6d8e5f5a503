import type {
  AddPersonRequest,
  AdminPerson,
  AdminPersonChange,
  AdminPersonResponse,
  ApiUser,
  AuditEntry,
  AuditResponse,
  CheckInviteRequest,
  CreatedInvite,
  CreateInviteRequest,
  CreateRoomRequest,
  Invite,
  InviteCheck,
  LogInRequest,
  PasswordChangeRequest,
  PasswordChangeResponse,
  PasswordResetCheck,
  PasswordResetDone,
  PasswordResetLink,
  PasswordResetRequest,
  PeopleResponse,
  ProfileResponse,
  ProfileUpdateRequest,
  RoomMeta,
  SessionResponse,
  SignUpRequest,
  StartConversationRequest,
  StartConversationResponse,
  UpdateRoomRequest,
  WorkspaceSettings,
} from "@chat/model";
import { type Attachment, FILE_NAME_HEADER, type UploadFileResponse } from "@chat/model";

export type { AdminPerson, AuditEntry, Invite, WorkspaceSettings };

/** The HTTP API under /api/ (docs/api.md). Every failure becomes an ApiError carrying the server's sentence. */

export type User = ApiUser;
export type SessionInfo = SessionResponse;

export class ApiError extends Error {
  /** HTTP status, or 0 when the server could not be reached at all. */
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }
}

async function request<T>(
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE",
  path: string,
  body?: unknown,
): Promise<T> {
  let response: Response;
  // Raw bytes (an avatar) go as they are; anything else as JSON.
  const raw = body instanceof Blob;
  try {
    response = await fetch(path, {
      method,
      credentials: "same-origin",
      headers:
        body === undefined ? {} : { "content-type": raw ? "application/octet-stream" : "application/json" },
      body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "Cannot reach the server. Check your connection and try again.");
  }
  if (response.status === 204) return undefined as T;
  const data: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (data as { error?: unknown } | null)?.error;
    throw new ApiError(
      response.status,
      typeof error === "string" ? error : `The server answered ${response.status}. Try again in a moment.`,
    );
  }
  return data as T;
}

/** The signed-in person, or null when nobody is (`user: null`; a 401 from an older server too). Other failures throw. */
export async function getSession(): Promise<SessionInfo | null> {
  try {
    const answer = await request<SessionInfo | { user: null }>("GET", "/api/session");
    return answer.user ? (answer as SessionInfo) : null;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export function signUp(username: string, password: string, invite?: string): Promise<SessionInfo> {
  const body: SignUpRequest = { username, password, ...(invite ? { invite } : {}) };
  return request<SessionInfo>("POST", "/api/signup", body);
}

export function logIn(username: string, password: string): Promise<SessionInfo> {
  const body: LogInRequest = { username, password };
  return request<SessionInfo>("POST", "/api/login", body);
}

export function logOut(): Promise<void> {
  return request<void>("POST", "/api/logout");
}

export async function createRoom(name: string, isPrivate: boolean): Promise<RoomMeta> {
  const body: CreateRoomRequest = { name, private: isPrivate };
  const { room } = await request<{ room: RoomMeta }>("POST", "/api/rooms", body);
  return room;
}

/** Brings someone into a room ("Add people"); the server adds a line "alice added bob". */
export async function addPerson(roomId: string, username: string): Promise<void> {
  const body: AddPersonRequest = { username };
  await request("POST", `/api/rooms/${encodeURIComponent(roomId)}/members`, body);
}

/**
 * Takes someone out of a room (its creator or the workspace admin); the server adds a line
 * "alice removed bob" and closes the person's open copies of the room.
 */
export async function removeMember(roomId: string, userId: string): Promise<void> {
  await request("DELETE", `/api/rooms/${encodeURIComponent(roomId)}/members/${encodeURIComponent(userId)}`);
}

/** Leaves a room (not a DM; a private room's last member is refused: archive it instead). "bob left". */
/** "Join room": the person joins a public room they were previewing (docs/api.md). */
export async function joinRoom(roomId: string): Promise<void> {
  await request("POST", `/api/rooms/${encodeURIComponent(roomId)}/join`);
}

export async function leaveRoom(roomId: string): Promise<void> {
  await request("POST", `/api/rooms/${encodeURIComponent(roomId)}/leave`);
}

/** "New message": the DM with one person, or the group conversation of 2–8 others (the same room each time). */
export async function startConversation(usernames: string[]): Promise<RoomMeta> {
  const body: StartConversationRequest = { usernames };
  const { room } = await request<StartConversationResponse>("POST", "/api/conversations", body);
  return room;
}

/** The creator's changes to a room: rename, topic, archive. */
export async function updateRoom(roomId: string, changes: UpdateRoomRequest): Promise<RoomMeta> {
  const { room } = await request<{ room: RoomMeta }>(
    "PATCH",
    `/api/rooms/${encodeURIComponent(roomId)}`,
    changes,
  );
  return room;
}

export function getWorkspace(): Promise<WorkspaceSettings> {
  return request<WorkspaceSettings>("GET", "/api/workspace");
}

export function setInviteOnly(inviteOnly: boolean): Promise<WorkspaceSettings> {
  return request<WorkspaceSettings>("PATCH", "/api/workspace", { inviteOnly });
}

export async function changePassword(currentPassword: string, newPassword: string): Promise<number> {
  const body: PasswordChangeRequest = { currentPassword, newPassword };
  const result = await request<PasswordChangeResponse>("POST", "/api/password", body);
  return result.signedOutSessions;
}

export async function listInvites(): Promise<Invite[]> {
  return (await request<{ invites: Invite[] }>("GET", "/api/invites")).invites;
}

/** The link is in the answer only this once: the server keeps just a hash of its token. */
export function createInvite(options: Required<CreateInviteRequest>): Promise<CreatedInvite> {
  return request("POST", "/api/invites", options);
}

export function revokeInvite(id: string): Promise<void> {
  return request<void>("DELETE", `/api/invites/${encodeURIComponent(id)}`);
}

/** Who sent a working invite link; throws ApiError with the reason when it no longer works. */
export function checkInvite(token: string): Promise<InviteCheck> {
  const body: CheckInviteRequest = { token };
  return request("POST", "/api/invites/check", body);
}

/** An upload's progress: bytes sent of the whole. */
export type UploadProgress = (sent: number, total: number) => void;

/**
 * Uploads one file's bytes under the attachment id the client chose (docs/api.md, "Files"): answers
 * what the server stored, which the message must carry unchanged. XMLHttpRequest rather than fetch,
 * for the upload's progress. Throws ApiError with the server's sentence (status 0: no connection).
 * Retrying the same id with the same bytes is safe: the server answers the stored file again.
 */
export function uploadFile(
  roomId: string,
  attachmentId: string,
  name: string,
  bytes: Blob,
  onProgress?: UploadProgress,
  signal?: AbortSignal,
): Promise<Attachment> {
  return new Promise<Attachment>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", `/api/rooms/${encodeURIComponent(roomId)}/files/${encodeURIComponent(attachmentId)}`);
    xhr.withCredentials = true;
    xhr.setRequestHeader(FILE_NAME_HEADER, encodeURIComponent(name));
    xhr.setRequestHeader("content-type", "application/octet-stream");
    xhr.responseType = "text";
    if (onProgress) xhr.upload.onprogress = (event) => onProgress(event.loaded, event.total || bytes.size);
    const unreachable = () =>
      reject(new ApiError(0, "Cannot reach the server. The file is sent once the connection is back."));
    xhr.onerror = unreachable;
    xhr.ontimeout = unreachable;
    xhr.onabort = () => reject(new ApiError(0, "The upload was stopped."));
    xhr.onload = () => {
      let data: unknown = null;
      try {
        data = JSON.parse(xhr.responseText);
      } catch {
        // Not JSON (a proxy's error page): the status says enough.
      }
      const file = (data as Partial<UploadFileResponse> | null)?.file;
      if ((xhr.status === 200 || xhr.status === 201) && file) return resolve(file);
      const error = (data as { error?: unknown } | null)?.error;
      reject(new ApiError(xhr.status, typeof error === "string" ? error : uploadFailure(xhr.status)));
    };
    signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(bytes);
  });
}

/** What to say when the server answered without a sentence of its own. */
function uploadFailure(status: number): string {
  if (status === 413) return "The file is larger than the server accepts.";
  if (status === 507) return "The server has no room for the file right now.";
  if (status === 404) return "You can no longer send files to this conversation.";
  return `The server answered ${status}. Try again in a moment.`;
}

/** Where an attachment's bytes are (members only); `download` asks for a download even for an image. */
export function fileUrl(attachmentId: string, options: { download?: boolean } = {}): string {
  return `/api/files/${encodeURIComponent(attachmentId)}${options.download ? "?download=1" : ""}`;
}

export function thumbnailUrl(attachmentId: string): string {
  return `/api/files/${encodeURIComponent(attachmentId)}/thumbnail`;
}

/** The signed-in person's display name and/or status (PATCH /api/profile); the directory brings it to every device. */
export async function updateProfile(change: ProfileUpdateRequest): Promise<User> {
  return (await request<ProfileResponse>("PATCH", "/api/profile", change)).user;
}

/** A new avatar from an image (PUT /api/profile/avatar): the server makes a small square of it. */
export async function uploadAvatar(image: Blob): Promise<User> {
  return (await request<ProfileResponse>("PUT", "/api/profile/avatar", image)).user;
}

/** Back to initials (DELETE /api/profile/avatar). */
export async function removeAvatar(): Promise<User> {
  return (await request<ProfileResponse>("DELETE", "/api/profile/avatar")).user;
}

// The admin runs the workspace (docs/api.md, "The admin"): People, roles, deactivation, reset links,
// the audit table, removing anyone's message. The server refuses anyone else (403).

export async function listPeople(): Promise<AdminPerson[]> {
  return (await request<PeopleResponse>("GET", "/api/admin/people")).people;
}

/** Makes someone admin (or not), or deactivates / reactivates them: one change at a time. */
export async function changePerson(personId: string, change: AdminPersonChange): Promise<AdminPerson> {
  const { person } = await request<AdminPersonResponse>(
    "PATCH",
    `/api/admin/people/${encodeURIComponent(personId)}`,
    change,
  );
  return person;
}

/** A single-use reset link valid 24 hours: shown to the admin this once. */
export function issuePasswordReset(personId: string): Promise<PasswordResetLink> {
  return request<PasswordResetLink>(
    "POST",
    `/api/admin/people/${encodeURIComponent(personId)}/password-reset`,
  );
}

export async function listAudit(): Promise<AuditEntry[]> {
  return (await request<AuditResponse>("GET", "/api/admin/audit")).entries;
}

/** The admin removes someone's message (in history segment `segment` of the room). */
export async function removeMessageAsAdmin(
  roomId: string,
  segment: number,
  messageId: string,
): Promise<void> {
  await request(
    "DELETE",
    `/api/admin/rooms/${encodeURIComponent(roomId)}/segments/${segment}/messages/${encodeURIComponent(messageId)}`,
  );
}

/** Whose password a reset link sets; an ApiError (410) says why a link no longer works. */
export function checkPasswordReset(token: string): Promise<PasswordResetCheck> {
  return request<PasswordResetCheck>("POST", "/api/password-reset/check", { token });
}

export function resetPassword(token: string, newPassword: string): Promise<PasswordResetDone> {
  const body: PasswordResetRequest = { token, newPassword };
  return request<PasswordResetDone>("POST", "/api/password-reset", body);
}

/** The server's VAPID public key (base64url), the `applicationServerKey` to subscribe with. */
export async function getPushKey(): Promise<string> {
  return (await request<{ publicKey: string }>("GET", "/api/push/key")).publicKey;
}

/** Registers this device's push subscription (`PushSubscription.toJSON()`) under this session. */
export async function addPushSubscription(subscription: PushSubscriptionJSON): Promise<void> {
  await request("POST", "/api/push/subscriptions", subscription);
}

export async function removePushSubscription(endpoint: string): Promise<void> {
  await request("DELETE", "/api/push/subscriptions", { endpoint });
}
