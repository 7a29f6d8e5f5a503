import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type ApiUser,
  normalizeUsername,
  type ProfileResponse,
  SCHEMA_VERSION,
  type SessionResponse,
} from "@chat/model";
import { changePassword, signIn, signUp, updateProfile } from "../auth/accounts.ts";
import { clearedCookie, readCookie, sessionCookie } from "../auth/cookies.ts";
import { createInvite, inviteProblem, listInvites, revokeInvite } from "../auth/invites.ts";
import {
  createSession,
  deleteOtherSessions,
  deleteSession,
  findSession,
  SESSION_COOKIE,
  SESSION_LIFETIME_MS,
  type Session,
  type SessionUser,
} from "../auth/sessions.ts";
import {
  assertWorkspaceAdmin,
  readWorkspaceSettings,
  updateWorkspaceSettings,
} from "../auth/workspaceSettings.ts";
import { Refusal } from "../context.ts";
import { type Database, DatabaseUnavailable } from "../db/database.ts";
import type { DocumentWriter } from "../docs/writer.ts";
import type { Files } from "../files/files.ts";
import type { AccountLimits } from "../limits/accountLimits.ts";
import type { SignInThrottle } from "../limits/signInThrottle.ts";
import { TooManyRequests } from "../limits/tooManyRequests.ts";
import type { Logger } from "../log.ts";
import type { Membership } from "../membership/membership.ts";
import type { Projector } from "../projections/projector.ts";
import { createRoom, toRoomMeta } from "../rooms/rooms.ts";
import { handleAdminRoute } from "./adminRoutes.ts";
import {
  parseCredentials,
  parseNewInvite,
  parseNewRoom,
  parsePasswordChange,
  parseProfileChange,
  parseSignUp,
  parseWorkspaceSettings,
} from "./bodies.ts";
import { clientAddress } from "./clientAddress.ts";
import { handleConversationRoute } from "./conversationRoutes.ts";
import { handleAvatarRoute, handleFileRoute } from "./fileRoutes.ts";
import { readJson, sendError, sendJson } from "./json.ts";
import { handlePushRoute, type PushRouteDeps } from "./pushRoutes.ts";
import { isWrongCredentials, RequestError, statusOf } from "./requestError.ts";
import { handleRoomRoute } from "./roomRoutes.ts";

export interface ApiDeps {
  db: Database;
  projector: Projector;
  membership: Membership;
  log: Logger;
  secureCookies: boolean;
  trustProxy: boolean;
  signInThrottle: SignInThrottle;
  accountLimits: AccountLimits;
  /** Attached files: uploads, downloads and who may see them. */
  files: Files;
  /** The server's own changes to documents (lines in a room's history). */
  writer: DocumentWriter;
  /** Closes every open socket of these (already deleted) sessions, on every instance (4401 with `reason`). */
  revokeSessions(tokenHashes: readonly string[], reason?: string): Promise<void>;
  /** A message the admin removed: its files hidden, its room recounted (http/adminRoutes.ts). */
  messageRemoved(roomId: string, messageId: string): Promise<void>;
  /** Records each signed-in request as the person's last activity (at most once per few minutes). */
  lastSeen?: { touch(userId: string): void };
  /** Web Push: the VAPID key and the devices' subscriptions. */
  push: Omit<PushRouteDeps, "db">;
}

const publicUser = (user: SessionUser): ApiUser => ({
  id: user.id,
  username: user.username,
  displayName: user.displayName,
  isAdmin: user.isAdmin,
});

const sessionResponse = (deps: ApiDeps, user: SessionUser): SessionResponse => ({
  user: publicUser(user),
  schemaVersion: SCHEMA_VERSION,
  maxUploadBytes: deps.files.maxUploadBytes,
});

const INVITE_PATH = /^\/api\/invites\/([a-z0-9]{16})$/;

/** The HTTP API under /api/ (docs/api.md). Every refusal is `{ error }` with a sentence a person can act on. */
export async function handleApi(
  deps: ApiDeps,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  let route = `${request.method} ${request.url}`;
  try {
    const path = new URL(request.url ?? "/", "http://x").pathname;
    route = `${request.method} ${path}`;
    switch (route) {
      case "GET /api/session":
        return await getSession(deps, request, response);
      case "POST /api/signup":
        return await startSession(
          deps,
          request,
          response,
          201,
          await signUp(deps.db, parseSignUp(await readJson(request))),
        );
      case "POST /api/login":
        return await login(deps, request, response);
      case "POST /api/logout":
        return await logout(deps, request, response);
      case "POST /api/password":
        return await postPassword(deps, request, response);
      case "PATCH /api/profile":
        return await patchProfile(deps, request, response);
      case "POST /api/rooms":
        return await postRoom(deps, request, response);
      case "GET /api/workspace":
        return sendJson(response, 200, await readWorkspaceSettings(deps.db));
      case "PATCH /api/workspace":
        return await patchWorkspace(deps, request, response);
      case "GET /api/invites":
        return await getInvites(deps, request, response);
      case "POST /api/invites":
        return await postInvite(deps, request, response);
      case "POST /api/invites/check":
        return await checkInvite(deps, request, response);
    }
    const invite = INVITE_PATH.exec(path);
    if (invite && request.method === "DELETE") return await deleteInvite(deps, request, response, invite[1]!);
    if (await handleFileRoute(deps, () => requireSession(deps, request), request, response, path)) return;
    if (await handleAvatarRoute(deps, () => requireWriter(deps, request), request, response, path)) return;
    if (await handleRoomRoute(deps, () => requireSession(deps, request), request, response, path)) return;
    if (await handleConversationRoute(deps, () => requireWriter(deps, request), request, response, path))
      return;
    if (
      await handleAdminRoute(
        deps,
        () => requireSession(deps, request),
        () => requireWriter(deps, request),
        request,
        response,
        path,
      )
    )
      return;
    if (
      await handlePushRoute(
        { ...deps.push, db: deps.db },
        () => requireSession(deps, request),
        () => requireWriter(deps, request),
        request,
        response,
        path,
      )
    )
      return;
    sendError(response, 404, `There is no ${request.method} ${path}.`);
  } catch (error) {
    if (error instanceof TooManyRequests)
      return sendError(response, 429, error.message, { "retry-after": String(error.retryAfterSeconds) });
    const status = statusOf(error);
    if (status !== null) return sendError(response, status, (error as Error).message);
    sendUnexpected(deps.log, route, response, error);
  }
}

/**
 * The database could not be reached: directly, or while a document this request changes was being
 * loaded (the hooks refuse a load they could not read with Refusal "unavailable").
 */
const isOutage = (error: unknown): error is Error =>
  error instanceof DatabaseUnavailable || (error instanceof Refusal && error.reason === "unavailable");

/**
 * Only an unreachable database is an outage (503, worth retrying in a moment); anything else is a
 * bug, answered 500 and logged with its stack so it can be found, never disguised as an outage.
 */
export function sendUnexpected(log: Logger, route: string, response: ServerResponse, error: unknown): void {
  if (isOutage(error)) {
    log.warn({ route, error: error.message }, "request failed: the database is unreachable");
    if (!response.headersSent)
      sendError(response, 503, "The server cannot reach its database right now. Try again in a moment.");
  } else {
    log.error({ route, error: error instanceof Error ? error.stack : String(error) }, "request failed");
    if (!response.headersSent)
      sendError(
        response,
        500,
        "Something went wrong on the server. Try again; if it keeps happening, tell the workspace admin.",
      );
  }
  if (response.headersSent && !response.writableEnded) response.destroy();
}

async function requireSession(deps: ApiDeps, request: IncomingMessage): Promise<Session> {
  const session = await findSession(deps.db, readCookie(request, SESSION_COOKIE));
  if (!session) throw new RequestError(401, "You are not signed in.");
  deps.lastSeen?.touch(session.user.id);
  return session;
}

/**
 * Who is signed in. Signed out is an answer here, not an error (200 with `user: null`): the app asks
 * on every load, and a 401 would be logged as a failed request in every signed-out browser's console.
 */
async function getSession(deps: ApiDeps, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const session = await findSession(deps.db, readCookie(request, SESSION_COOKIE));
  if (!session) return sendJson(response, 200, { user: null, schemaVersion: SCHEMA_VERSION });
  sendJson(response, 200, sessionResponse(deps, session.user));
}

/**
 * Signing in or up always issues a new session token (so a token planted in the browser before
 * sign-in is worthless afterwards) and revokes the session the browser presented, if any.
 */
async function startSession(
  deps: ApiDeps,
  request: IncomingMessage,
  response: ServerResponse,
  status: number,
  user: SessionUser,
) {
  const previous = await findSession(deps.db, readCookie(request, SESSION_COOKIE));
  const { token } = await createSession(deps.db, user.id);
  if (previous) {
    await deleteSession(deps.db, previous.tokenHash);
    await deps.revokeSessions([previous.tokenHash]);
  }
  if (status === 201) await deps.projector.refreshDirectory();
  sendJson(response, status, sessionResponse(deps, user), {
    "set-cookie": sessionCookie(SESSION_COOKIE, token, SESSION_LIFETIME_MS, deps.secureCookies),
  });
}

/** Sign-in, slowed down after failures per username and per address (limits/signInThrottle.ts). */
async function login(deps: ApiDeps, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const body = await readJson(request);
  const rawUsername = (body as Record<string, unknown> | null)?.username;
  const username = typeof rawUsername === "string" ? normalizeUsername(rawUsername).slice(0, 100) : "";
  const address = clientAddress(request, deps.trustProxy);
  const attempt = await deps.signInThrottle.attempt(username, address);
  let user: SessionUser;
  try {
    user = await signIn(deps.db, parseCredentials(body));
  } catch (error) {
    if (!isWrongCredentials(error)) {
      await deps.signInThrottle.abandoned(attempt);
      throw error;
    }
    if (attempt.lockMs > 0)
      throw new TooManyRequests("Wrong username or password, and too many failed sign-ins.", attempt.lockMs);
    throw error;
  }
  await deps.signInThrottle.succeeded(attempt);
  return startSession(deps, request, response, 200, user);
}

async function logout(deps: ApiDeps, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const session = await findSession(deps.db, readCookie(request, SESSION_COOKIE));
  if (session) {
    await deleteSession(deps.db, session.tokenHash);
    await deps.revokeSessions([session.tokenHash]);
  }
  response.writeHead(204, { "set-cookie": clearedCookie(SESSION_COOKIE, deps.secureCookies) }).end();
}

/** A signed-in person making a change: counted against their per-account allowance. */
async function requireWriter(deps: ApiDeps, request: IncomingMessage): Promise<Session> {
  const session = await requireSession(deps, request);
  await deps.accountLimits.apiWrite(session.user.id);
  return session;
}

/**
 * Password change: the current password is required (and wrong guesses count as failed sign-ins);
 * every other session of the person is revoked and its sockets closed; this device stays signed in.
 */
async function postPassword(
  deps: ApiDeps,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const session = await requireWriter(deps, request);
  const address = clientAddress(request, deps.trustProxy);
  const attempt = await deps.signInThrottle.attempt(session.user.username, address);
  try {
    await changePassword(deps.db, session.user, parsePasswordChange(await readJson(request)));
  } catch (error) {
    // A wrong current password stays counted; any other refusal came before it was checked.
    if (!isWrongCredentials(error)) await deps.signInThrottle.abandoned(attempt);
    throw error;
  }
  await deps.signInThrottle.succeeded(attempt);
  const revoked = await deleteOtherSessions(deps.db, session.user.id, session.tokenHash);
  await deps.revokeSessions(revoked);
  sendJson(response, 200, { signedOutSessions: revoked.length });
}

/**
 * The person's own display name and status: stored, then published in the `directory` (docs/architecture.md:
 * the server writes it), which carries the change to every device of everyone at once.
 */
async function patchProfile(deps: ApiDeps, request: IncomingMessage, response: ServerResponse) {
  const session = await requireWriter(deps, request);
  const user = await updateProfile(deps.db, session.user.id, parseProfileChange(await readJson(request)));
  await deps.projector.refreshDirectory();
  sendJson(response, 200, { user } satisfies ProfileResponse);
}

async function postRoom(deps: ApiDeps, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const session = await requireWriter(deps, request);
  const row = await createRoom(deps.db, session.user.id, parseNewRoom(await readJson(request)));
  await deps.projector.refreshRoom(row.id);
  await deps.projector.refreshUserIndex(session.user.id);
  if (row.kind === "channel") await deps.projector.refreshDirectory();
  sendJson(response, 201, { room: toRoomMeta(row) });
}

async function patchWorkspace(
  deps: ApiDeps,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const session = await requireWriter(deps, request);
  // Someone who may not change the settings hears that, whatever they sent.
  assertWorkspaceAdmin(session.user);
  const settings = parseWorkspaceSettings(await readJson(request));
  sendJson(response, 200, await updateWorkspaceSettings(deps.db, session.user, settings));
}

async function getInvites(deps: ApiDeps, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const session = await requireSession(deps, request);
  sendJson(response, 200, { invites: await listInvites(deps.db, session.user) });
}

async function postInvite(deps: ApiDeps, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const session = await requireWriter(deps, request);
  const { invite, token } = await createInvite(
    deps.db,
    session.user,
    parseNewInvite(await readJson(request)),
  );
  sendJson(response, 201, { invite, token, path: `/invite/${token}` });
}

/** For the sign-up page: does this invite link still work, and who sent it? No session needed. */
async function checkInvite(deps: ApiDeps, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const body = (await readJson(request)) as Record<string, unknown> | null;
  const token = typeof body?.token === "string" ? body.token : "";
  const address = clientAddress(request, deps.trustProxy);
  // Guessing 256-bit tokens is hopeless, but a checker that answers forever is still an oracle.
  await deps.accountLimits.apiWrite(`address:${address}`);
  const { problem, invitedBy } = await inviteProblem(deps.db, token);
  if (problem) return sendError(response, 410, problem);
  sendJson(response, 200, { valid: true, invitedBy });
}

async function deleteInvite(
  deps: ApiDeps,
  request: IncomingMessage,
  response: ServerResponse,
  id: string,
): Promise<void> {
  const session = await requireWriter(deps, request);
  await revokeInvite(deps.db, session.user, id);
  response.writeHead(204).end();
}
