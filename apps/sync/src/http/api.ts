import type { IncomingMessage, ServerResponse } from "node:http";
import { SCHEMA_VERSION } from "@chat/model";
import { RequestError, signIn, signUp } from "../auth/accounts.ts";
import { clearedCookie, readCookie, sessionCookie } from "../auth/cookies.ts";
import {
  createSession,
  deleteSession,
  findSession,
  SESSION_COOKIE,
  SESSION_LIFETIME_MS,
  type Session,
  type SessionUser,
} from "../auth/sessions.ts";
import type { Database } from "../db/database.ts";
import type { DocumentWriter } from "../docs/writer.ts";
import type { Logger } from "../log.ts";
import { createRoom, toRoomMeta } from "../rooms.ts";
import { readJson, sendError, sendJson } from "./json.ts";
import { handleRoomRoute } from "./roomRoutes.ts";

export interface ApiDeps {
  db: Database;
  writer: DocumentWriter;
  log: Logger;
  secureCookies: boolean;
  /** Closes every open socket of a session (sign-out). */
  closeSessionSockets(tokenHash: string): void;
}

const publicUser = (user: SessionUser) => ({
  id: user.id,
  username: user.username,
  displayName: user.displayName,
});

/** The HTTP API under /api/ (docs/api.md). Every refusal is `{ error }` with a sentence a person can act on. */
export async function handleApi(
  deps: ApiDeps,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const path = new URL(request.url ?? "/", "http://x").pathname;
  const route = `${request.method} ${path}`;
  try {
    switch (route) {
      case "GET /api/session":
        return await getSession(deps, request, response);
      case "POST /api/signup":
        return await startSession(deps, response, 201, await signUp(deps.db, await readJson(request)), true);
      case "POST /api/login":
        return await startSession(deps, response, 200, await signIn(deps.db, await readJson(request)), false);
      case "POST /api/logout":
        return await logout(deps, request, response);
      case "POST /api/rooms":
        return await postRoom(deps, request, response);
      default:
        if (await handleRoomRoute(deps, () => requireSession(deps, request), request, response, path)) return;
        sendError(response, 404, `There is no ${request.method} ${path}.`);
    }
  } catch (error) {
    if (error instanceof RequestError) return sendError(response, error.status, error.message);
    deps.log.error({ route, error: String(error) }, "request failed");
    sendError(response, 503, "The server cannot reach its database right now. Try again in a moment.");
  }
}

async function requireSession(deps: ApiDeps, request: IncomingMessage): Promise<Session> {
  const session = await findSession(deps.db, readCookie(request, SESSION_COOKIE));
  if (!session) throw new RequestError(401, "You are not signed in.");
  return session;
}

async function getSession(deps: ApiDeps, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const session = await requireSession(deps, request);
  sendJson(response, 200, { user: publicUser(session.user), schemaVersion: SCHEMA_VERSION });
}

async function startSession(
  deps: ApiDeps,
  response: ServerResponse,
  status: number,
  user: SessionUser,
  isNew: boolean,
) {
  const { token } = await createSession(deps.db, user.id);
  if (isNew) await deps.writer.refreshDirectory();
  sendJson(
    response,
    status,
    { user: publicUser(user), schemaVersion: SCHEMA_VERSION },
    { "set-cookie": sessionCookie(SESSION_COOKIE, token, SESSION_LIFETIME_MS, deps.secureCookies) },
  );
}

async function logout(deps: ApiDeps, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const session = await findSession(deps.db, readCookie(request, SESSION_COOKIE));
  if (session) {
    await deleteSession(deps.db, session.tokenHash);
    deps.closeSessionSockets(session.tokenHash);
  }
  response.writeHead(204, { "set-cookie": clearedCookie(SESSION_COOKIE, deps.secureCookies) }).end();
}

async function postRoom(deps: ApiDeps, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const session = await requireSession(deps, request);
  const row = await createRoom(deps.db, session.user.id, await readJson(request));
  await deps.writer.refreshRoom(row.id);
  await deps.writer.refreshUserIndex(session.user.id);
  if (row.kind === "channel") await deps.writer.refreshDirectory();
  sendJson(response, 201, { room: toRoomMeta(row) });
}
