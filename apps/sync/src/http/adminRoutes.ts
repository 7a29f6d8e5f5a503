import type { IncomingMessage, ServerResponse } from "node:http";
import {
  ACCOUNT_DEACTIVATED_REASON,
  type AdminPersonResponse,
  type AuditResponse,
  canRemoveAsAdmin,
  findMessage,
  listSegments,
  messageEdits,
  type PasswordResetCheck,
  type PasswordResetDone,
  type PasswordResetLink,
  type PeopleResponse,
  removeMessageAsAdmin,
  roomDocName,
  segmentDocName,
} from "@chat/model";
import { listAdminActions, recordAdminAction } from "../auth/adminAudit.ts";
import { checkPasswordReset, issuePasswordReset, usePasswordReset } from "../auth/passwordResets.ts";
import { assertAdmin, deactivate, listPeople, reactivate, setAdmin } from "../auth/people.ts";
import type { Session } from "../auth/sessions.ts";
import type { Database } from "../db/database.ts";
import type { DocumentWriter } from "../docs/writer.ts";
import type { AccountLimits } from "../limits/accountLimits.ts";
import type { Projector } from "../projections/projector.ts";
import { getRoom } from "../rooms/rooms.ts";
import { recordEdit } from "../userIndex/queries.ts";
import { clientAddress } from "./clientAddress.ts";
import { readJson, sendJson } from "./json.ts";
import { RequestError } from "./requestError.ts";

/**
 * The admin runs the workspace (docs/api.md, "The admin"): `/api/admin/…` for the workspace admin
 * only (People, roles, deactivation, reset links, the audit table, removing any message), and the
 * reset link's own two requests, `/api/password-reset…`, which need no session (the link is the key).
 * Every admin action writes its audit row (auth/adminAudit.ts).
 */
export interface AdminRouteDeps {
  db: Database;
  projector: Projector;
  writer: DocumentWriter;
  accountLimits: AccountLimits;
  trustProxy: boolean;
  /** Closes every open socket of these (already deleted) sessions, on every instance, with `reason`. */
  revokeSessions(tokenHashes: readonly string[], reason?: string): Promise<void>;
  /** A message was removed by the server: hide its files, and recount the room's unread and mentions. */
  messageRemoved(roomId: string, messageId: string): Promise<void>;
}

const ID = "[a-z0-9]{16}";
const PERSON = new RegExp(`^/api/admin/people/(${ID})$`);
const PERSON_RESET = new RegExp(`^/api/admin/people/(${ID})/password-reset$`);
const ROOM_MESSAGE = new RegExp(
  `^/api/admin/rooms/(${ID}|dm-${ID}-${ID})/segments/(\\d{1,6})/messages/([A-Za-z0-9_-]{1,64})$`,
);

/** Handles the request and returns true when the path is one of these routes. */
export async function handleAdminRoute(
  deps: AdminRouteDeps,
  session: () => Promise<Session>,
  writer: () => Promise<Session>,
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
): Promise<boolean> {
  const route = `${request.method} ${path}`;
  if (route === "POST /api/password-reset/check") {
    await checkReset(deps, request, response);
    return true;
  }
  if (route === "POST /api/password-reset") {
    await useReset(deps, request, response);
    return true;
  }
  if (!path.startsWith("/api/admin/")) return false;
  if (route === "GET /api/admin/people") {
    assertAdmin((await session()).user);
    sendJson(response, 200, { people: await listPeople(deps.db) } satisfies PeopleResponse);
    return true;
  }
  if (route === "GET /api/admin/audit") {
    assertAdmin((await session()).user);
    const before = new URL(request.url ?? "/", "http://x").searchParams.get("before");
    if (before !== null && !/^\d{1,18}$/.test(before)) throw new RequestError(400, "before is an entry id.");
    sendJson(response, 200, { entries: await listAdminActions(deps.db, before) } satisfies AuditResponse);
    return true;
  }
  let match = PERSON.exec(path);
  if (match && request.method === "PATCH") {
    await changePerson(deps, (await writer()).user, match[1]!, await readJson(request), response);
    return true;
  }
  match = PERSON_RESET.exec(path);
  if (match && request.method === "POST") {
    const me = (await writer()).user;
    const { token, expiresAt } = await issuePasswordReset(deps.db, me, match[1]!);
    sendJson(response, 201, { path: `/reset/${token}`, expiresAt } satisfies PasswordResetLink);
    return true;
  }
  match = ROOM_MESSAGE.exec(path);
  if (match && request.method === "DELETE") {
    const me = (await writer()).user;
    await removeMessage(deps, me, match[1]!, Number(match[2]), match[3]!, response);
    return true;
  }
  return false;
}

/** PATCH /api/admin/people/<id>: `{ isAdmin }` or `{ deactivated }`, one at a time. */
async function changePerson(
  deps: AdminRouteDeps,
  me: Session["user"],
  personId: string,
  body: unknown,
  response: ServerResponse,
): Promise<void> {
  // Someone who is not the admin hears that first, whatever they sent.
  assertAdmin(me);
  const input = (body ?? {}) as Record<string, unknown>;
  const keys = Object.keys(input);
  if (
    keys.length !== 1 ||
    typeof input[keys[0]!] !== "boolean" ||
    !["isAdmin", "deactivated"].includes(keys[0]!)
  )
    throw new RequestError(400, "Send either isAdmin or deactivated, as true or false.");
  if (typeof input.isAdmin === "boolean") {
    const person = await setAdmin(deps.db, me, personId, input.isAdmin);
    return sendJson(response, 200, { person } satisfies AdminPersonResponse);
  }
  if (input.deactivated === true) {
    const { person, revokedSessions } = await deactivate(deps.db, me, personId);
    // Their sockets close at once, everywhere; their name shows "(deactivated)" on every device.
    await deps.revokeSessions(revokedSessions, ACCOUNT_DEACTIVATED_REASON);
    await deps.projector.refreshDirectory();
    return sendJson(response, 200, { person } satisfies AdminPersonResponse);
  }
  const person = await reactivate(deps.db, me, personId);
  await deps.projector.refreshDirectory();
  sendJson(response, 200, { person } satisfies AdminPersonResponse);
}

/**
 * The admin removes someone's message: the server writes the deletion record, marked
 * `removedByAdmin` (model edits.ts), as its own change, so the write rules stay as strict as they
 * were (only an author writes edit records; nobody may write the admin's mark). The message's files
 * are hidden and the room's counts recounted, as for a deletion by its author.
 */
async function removeMessage(
  deps: AdminRouteDeps,
  me: Session["user"],
  roomId: string,
  segment: number,
  messageId: string,
  response: ServerResponse,
): Promise<void> {
  assertAdmin(me);
  const room = await getRoom(deps.db, roomId);
  if (!room) throw new RequestError(404, "There is no such message.");
  let listed = false;
  await deps.writer.apply(roomDocName(roomId), (doc) => {
    listed = listSegments(doc).includes(segment);
  });
  if (!listed) throw new RequestError(404, "There is no such message.");
  let outcome: "removed" | "missing" | "not-removable" | "already" = "missing";
  let author = "";
  await deps.writer.apply(segmentDocName(roomId, segment), (doc) => {
    const message = findMessage(doc, messageId);
    if (!message) return;
    author = message.author;
    if (!canRemoveAsAdmin(message, me)) outcome = "not-removable";
    else if (messageEdits(doc).get(messageId)?.deleted) outcome = "already";
    else {
      removeMessageAsAdmin(doc, messageId);
      outcome = "removed";
    }
  });
  if (outcome === "missing") throw new RequestError(404, "There is no such message.");
  if (outcome === "not-removable")
    throw new RequestError(
      403,
      author === me.id
        ? "This is your own message: delete it as usual."
        : "A line about the room cannot be removed.",
    );
  if (outcome === "already") throw new RequestError(409, "This message was deleted already.");
  await recordEdit(deps.db, roomId, messageId, { mentions: [], deleted: true });
  await deps.messageRemoved(roomId, messageId);
  const [authorRow] = await deps.db.query<{ username: string }>("select username from users where id = $1", [
    author,
  ]);
  await recordAdminAction(deps.db, {
    actor: me.id,
    action: "message-removed",
    targetUser: author,
    roomId,
    summary: `${me.username} removed a message by ${authorRow?.username ?? "someone"} in ${room.kind === "dm" ? "a direct conversation" : room.name}`,
  });
  sendJson(response, 200, { removed: { roomId, messageId } });
}

/** The reset page asks whose password its link resets: 410 with why, when it no longer works. */
async function checkReset(deps: AdminRouteDeps, request: IncomingMessage, response: ServerResponse) {
  const body = (await readJson(request)) as Record<string, unknown> | null;
  // Guessing 256-bit tokens is hopeless, but a checker that answers forever is still an oracle.
  await deps.accountLimits.apiWrite(`address:${clientAddress(request, deps.trustProxy)}`);
  const token = typeof body?.token === "string" ? body.token : "";
  sendJson(response, 200, (await checkPasswordReset(deps.db, token)) satisfies PasswordResetCheck);
}

/** The link's holder sets a new password: the link is used up and every session of the person signed out. */
async function useReset(deps: AdminRouteDeps, request: IncomingMessage, response: ServerResponse) {
  const body = (await readJson(request)) as Record<string, unknown> | null;
  await deps.accountLimits.apiWrite(`address:${clientAddress(request, deps.trustProxy)}`);
  if (typeof body?.token !== "string" || typeof body.newPassword !== "string")
    throw new RequestError(400, "Enter a new password.");
  const { username, revokedSessions } = await usePasswordReset(deps.db, body.token, body.newPassword);
  await deps.revokeSessions(revokedSessions);
  sendJson(response, 200, {
    username,
    signedOutSessions: revokedSessions.length,
  } satisfies PasswordResetDone);
}
