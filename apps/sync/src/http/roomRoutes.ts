import type { IncomingMessage, ServerResponse } from "node:http";
import {
  canAddPeople,
  canManageRoom,
  canOpenRoom,
  canRemoveMember,
  leaveProblem,
  MAX_TOPIC_LENGTH,
  normalizeRoomName,
  normalizeUsername,
  roomNameProblem,
} from "@chat/model";
import { recordAdminAction } from "../auth/adminAudit.ts";
import type { Session } from "../auth/sessions.ts";
import type { Database } from "../db/database.ts";
import type { DocumentWriter } from "../docs/writer.ts";
import type { Membership } from "../membership/membership.ts";
import type { Projector } from "../projections/projector.ts";
import { writeToNewestSegment } from "../rooms/roomLines.ts";
import { countMembers, getRoom, isMember, listMembers, type RoomRow, toRoomMeta } from "../rooms/rooms.ts";
import { readJson, sendJson } from "./json.ts";
import { RequestError } from "./requestError.ts";

/**
 * `/api/rooms/<id>/…`: joining a public room ("Join room"), bringing people into a room ("Add people"), taking them out (the creator or
 * the admin) or leaving, and the creator's changes to it (rename, topic, archive). The rules are the model's (permissions.ts); the documents follow Postgres
 * through the projections.
 */
export interface RoomRouteDeps {
  db: Database;
  projector: Projector;
  membership: Membership;
  /** Writes the server's lines into the room's history ("alice renamed the room to …"). */
  writer: DocumentWriter;
}

// A room's id, or a direct conversation's (dm-<person>-<person>: refused with a reason, not unknown).
const ROUTE =
  /^\/api\/rooms\/([a-z0-9]{16}|dm-[a-z0-9]{16}-[a-z0-9]{16})(\/members|\/leave|\/join)?(?:\/([a-z0-9]{16}))?$/;

/** Handles the request and returns true when the path is one of these routes. */
export async function handleRoomRoute(
  deps: RoomRouteDeps,
  session: () => Promise<Session>,
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
): Promise<boolean> {
  const match = ROUTE.exec(path);
  if (!match) return false;
  const roomId = match[1]!;
  const memberId = match[3];
  if (match[2] === "/members" && memberId && request.method === "DELETE") {
    await removePerson(deps, (await session()).user, roomId, memberId, response);
    return true;
  }
  if (match[2] === "/join" && !memberId && request.method === "POST") {
    await joinRoom(deps, (await session()).user, roomId, response);
    return true;
  }
  if (match[2] === "/leave" && !memberId && request.method === "POST") {
    await leaveRoom(deps, (await session()).user, roomId, response);
    return true;
  }
  if (memberId) return false;
  if (match[2] === "/members" && request.method === "POST") {
    await addPeople(deps, (await session()).user, roomId, await readJson(request), response);
    return true;
  }
  if (!match[2] && request.method === "PATCH") {
    await updateRoom(deps, (await session()).user, roomId, await readJson(request), response);
    return true;
  }
  return false;
}

const GROUP_IS_ITS_PEOPLE =
  "A group conversation is its people: start a new one to include someone else; anyone in it can leave.";

async function memberRoom(
  db: Database,
  roomId: string,
  me: { id: string; isAdmin?: boolean },
): Promise<RoomRow> {
  const room = await getRoom(db, roomId);
  // Someone outside a private room learns nothing of it, not even that it exists. A public room
  // opens to everyone (the model's rule), so it needs no membership query. The workspace admin
  // manages every room, so they learn of every one.
  if (room && me.isAdmin) return room;
  const member = !!room && room.kind !== "channel" && (await isMember(db, roomId, me.id));
  if (!room || !canOpenRoom(room, member)) throw new RequestError(404, "There is no such room.");
  return room;
}

/** The admin did what only their role allowed (in a room they did not create, or are not in): audited. */
async function auditAdminPower(
  db: Database,
  me: { id: string; username: string },
  room: RoomRow,
  action: "room-changed" | "member-added" | "member-removed",
  summary: string,
  targetUser: string | null = null,
): Promise<void> {
  await recordAdminAction(db, { actor: me.id, action, roomId: room.id, targetUser, summary });
}

async function addPeople(
  deps: RoomRouteDeps,
  me: { id: string; username: string; isAdmin: boolean },
  roomId: string,
  body: unknown,
  response: ServerResponse,
): Promise<void> {
  const room = await memberRoom(deps.db, roomId, me);
  const input = (body ?? {}) as Record<string, unknown>;
  if (typeof input.username !== "string" || !input.username.trim())
    throw new RequestError(400, "Say whom to add: a username.");
  const member = await isMember(deps.db, roomId, me.id);
  if (!canAddPeople(toRoomMeta(room), member, me.isAdmin))
    throw new RequestError(
      403,
      room.kind === "dm"
        ? "A direct conversation is between its two people."
        : room.kind === "group"
          ? GROUP_IS_ITS_PEOPLE
          : room.archived
            ? "This room is archived."
            : "Join the room before adding people to it.",
    );
  const username = normalizeUsername(input.username.replace(/^@/, ""));
  const [person] = await deps.db.query<{ id: string; username: string }>(
    "select id, username from users where username = $1",
    [username],
  );
  if (!person) throw new RequestError(404, `There is no one called "${username}".`);
  if (!(await deps.membership.add(roomId, me, person)))
    throw new RequestError(409, `${person.username} is already in this room.`);
  if (!member)
    await auditAdminPower(
      deps.db,
      me,
      room,
      "member-added",
      `${me.username} added ${person.username} to ${room.name}`,
      person.id,
    );
  sendJson(response, 201, { member: { id: person.id, username: person.username } });
}

async function removePerson(
  deps: RoomRouteDeps,
  me: { id: string; username: string; isAdmin: boolean },
  roomId: string,
  personId: string,
  response: ServerResponse,
): Promise<void> {
  const room = await memberRoom(deps.db, roomId, me);
  const meta = toRoomMeta(room);
  const [person] = await deps.db.query<{ id: string; username: string }>(
    "select id, username from users where id = $1",
    [personId],
  );
  if (!person || !(await isMember(deps.db, roomId, personId)))
    throw new RequestError(404, "That person is not in this room.");
  if (!canRemoveMember(meta, me, person.id))
    throw new RequestError(
      403,
      room.kind === "dm"
        ? "A direct conversation is between its two people."
        : room.kind === "group"
          ? GROUP_IS_ITS_PEOPLE
          : person.id === me.id
            ? "To take yourself out, leave the room."
            : person.id === meta.createdBy
              ? "The person who created the room cannot be removed from it."
              : "Only the person who created this room, or the workspace admin, can remove people.",
    );
  if (!(await deps.membership.remove(roomId, me, person)))
    throw new RequestError(404, "That person is not in this room.");
  if (meta.createdBy !== me.id)
    await auditAdminPower(
      deps.db,
      me,
      room,
      "member-removed",
      `${me.username} removed ${person.username} from ${room.name}`,
      person.id,
    );
  sendJson(response, 200, { removed: { id: person.id, username: person.username } });
}

/**
 * "Join room": opening a public room shows it read-only (extensions/access.ts); joining is this
 * request. Only a public room can be joined; a private room or a DM is 404, as it is to anyone outside
 * it (a member of one is told they are in it already).
 */
async function joinRoom(
  deps: RoomRouteDeps,
  me: { id: string; username: string },
  roomId: string,
  response: ServerResponse,
): Promise<void> {
  const room = await memberRoom(deps.db, roomId, me);
  if (await isMember(deps.db, roomId, me.id)) throw new RequestError(409, "You are in this room already.");
  if (room.kind !== "channel") throw new RequestError(404, "There is no such room.");
  if (room.archived) throw new RequestError(403, "This room is archived.");
  if (!(await deps.membership.join(roomId, me.id)))
    throw new RequestError(409, "You are in this room already.");
  sendJson(response, 200, { joined: { roomId } });
}

async function leaveRoom(
  deps: RoomRouteDeps,
  me: { id: string; username: string },
  roomId: string,
  response: ServerResponse,
): Promise<void> {
  const room = await memberRoom(deps.db, roomId, me);
  if (!(await isMember(deps.db, roomId, me.id))) throw new RequestError(409, "You are not in this room.");
  const problem = leaveProblem(toRoomMeta(room), await countMembers(deps.db, roomId));
  if (problem === "dm") throw new RequestError(403, "A direct conversation cannot be left.");
  if (problem === "last-private-member")
    throw new RequestError(
      409,
      "You are the last person in this private room: archive it instead, or add someone first.",
    );
  await deps.membership.leave(roomId, me);
  sendJson(response, 200, { left: { roomId } });
}

async function updateRoom(
  deps: RoomRouteDeps,
  me: { id: string; username: string; isAdmin: boolean },
  roomId: string,
  body: unknown,
  response: ServerResponse,
): Promise<void> {
  const room = await memberRoom(deps.db, roomId, me);
  if (!canManageRoom(toRoomMeta(room), me.id, me.isAdmin))
    throw new RequestError(
      403,
      room.kind === "dm"
        ? "A direct conversation has nothing to change."
        : "Only the person who created this room, or the workspace admin, can change it.",
    );
  const input = (body ?? {}) as Record<string, unknown>;
  const changes: { name?: string; topic?: string; archived?: boolean } = {};
  if (input.name !== undefined) {
    if (typeof input.name !== "string") throw new RequestError(400, "Give the room a name.");
    changes.name = normalizeRoomName(input.name);
    const problem = roomNameProblem(changes.name);
    if (problem) throw new RequestError(400, problem);
  }
  if (input.topic !== undefined) {
    if (typeof input.topic !== "string") throw new RequestError(400, "A topic is text.");
    changes.topic = input.topic.trim();
    if (changes.topic.length > MAX_TOPIC_LENGTH)
      throw new RequestError(400, `A topic can be at most ${MAX_TOPIC_LENGTH} characters.`);
  }
  if (input.archived !== undefined) {
    if (typeof input.archived !== "boolean") throw new RequestError(400, "archived is true or false.");
    changes.archived = input.archived;
  }
  let updated: RoomRow | undefined;
  try {
    [updated] = await deps.db.query<RoomRow>(
      `update rooms set name = coalesce($2, name), name_key = coalesce(lower($2), name_key),
         topic = coalesce($3, topic), archived = coalesce($4, archived)
       where id = $1 returning *`,
      [roomId, changes.name ?? null, changes.topic ?? null, changes.archived ?? null],
    );
  } catch (error) {
    if (/unique|duplicate/i.test(String(error)))
      throw new RequestError(409, `A room named "${changes.name}" already exists.`);
    throw error;
  }
  // A new name is said in the room, as Slack does: nobody is left wondering where the old one went.
  if (changes.name !== undefined && changes.name !== room.name)
    await writeToNewestSegment(deps.db, deps.writer, roomId, [
      {
        by: me.id,
        text: `${me.username} renamed the room to ${changes.name}`,
        event: { type: "room-renamed", name: changes.name },
      },
    ]);
  if (room.created_by !== me.id)
    await auditAdminPower(
      deps.db,
      me,
      room,
      "room-changed",
      `${me.username} changed ${room.name}: ${describeChanges(room, changes)}`,
    );
  await deps.projector.refreshRoom(roomId);
  if (room.kind === "channel") await deps.projector.refreshDirectory();
  // Name and archived state are part of every member's index entry.
  for (const member of await listMembers(deps.db, roomId))
    await deps.projector.refreshUserIndex(member.user_id);
  sendJson(response, 200, { room: toRoomMeta(updated!) });
}

/** "renamed it to x, archived it": what an admin's change to a room did, for the audit table. */
function describeChanges(
  room: RoomRow,
  changes: { name?: string; topic?: string; archived?: boolean },
): string {
  const said: string[] = [];
  if (changes.name !== undefined && changes.name !== room.name) said.push(`renamed it to ${changes.name}`);
  if (changes.topic !== undefined && changes.topic !== room.topic) said.push("set its topic");
  if (changes.archived !== undefined && changes.archived !== room.archived)
    said.push(changes.archived ? "archived it" : "unarchived it");
  return said.length > 0 ? said.join(", ") : "nothing";
}
