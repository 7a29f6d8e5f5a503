import type { IncomingMessage, ServerResponse } from "node:http";
import { dmRoomId, MAX_GROUP_OTHERS, normalizeUsername, type StartConversationResponse } from "@chat/model";
import type { Session } from "../auth/sessions.ts";
import type { Database } from "../db/database.ts";
import type { Membership, Person } from "../membership/membership.ts";
import { toRoomMeta } from "../rooms/rooms.ts";
import { readJson, sendJson } from "./json.ts";
import { RequestError } from "./requestError.ts";

/**
 * `POST /api/conversations` ("New message" under Direct messages): the conversation of the person
 * and the people they name. One other person is their DM; 2–8 are a group conversation, the same
 * room whenever the same people are named (membership/membership.ts startGroup). Everything is
 * checked before anything is written, so a refusal changes nothing.
 */
export interface ConversationRouteDeps {
  db: Database;
  membership: Membership;
}

/** More names than this in one request is not a mistake worth explaining: the body is refused. */
const MAX_NAMES_IN_REQUEST = 64;

/** Handles the request and returns true when the path is this route. */
export async function handleConversationRoute(
  deps: ConversationRouteDeps,
  session: () => Promise<Session>,
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
): Promise<boolean> {
  if (path !== "/api/conversations" || request.method !== "POST") return false;
  const me = (await session()).user;
  const usernames = parseUsernames(await readJson(request));
  const others = usernames.filter((username) => username !== me.username);
  if (others.length === 0)
    throw new RequestError(
      400,
      usernames.length === 0
        ? "Choose at least one person to write to."
        : "Choose someone besides yourself: a conversation needs at least one other person.",
    );
  if (others.length > MAX_GROUP_OTHERS)
    throw new RequestError(
      400,
      `A group conversation can have at most ${MAX_GROUP_OTHERS} other people; you chose ${others.length}.`,
    );
  const people = await findPeople(deps.db, others);
  if (people.length === 1) {
    const room = await deps.membership.beginDirect(dmRoomId(me.id, people[0]!.id), me.id);
    if (!room) throw new RequestError(404, `There is no one called "${others[0]}".`);
    sendJson(response, 200, { room: toRoomMeta(room) } satisfies StartConversationResponse);
    return true;
  }
  const { room, created } = await deps.membership.startGroup(me, people);
  sendJson(response, created ? 201 : 200, { room: toRoomMeta(room) } satisfies StartConversationResponse);
  return true;
}

/** The usernames named, normalized ("@Bob" is bob), each once, in the order given. */
function parseUsernames(body: unknown): string[] {
  const input = (body ?? {}) as Record<string, unknown>;
  const raw = input.usernames;
  if (!Array.isArray(raw) || raw.some((name) => typeof name !== "string"))
    throw new RequestError(400, "Say whom to write to: usernames, as a list.");
  if (raw.length > MAX_NAMES_IN_REQUEST)
    throw new RequestError(
      400,
      `A group conversation can have at most ${MAX_GROUP_OTHERS} other people; you chose ${raw.length}.`,
    );
  const names = (raw as string[]).map((name) => normalizeUsername(name.trim().replace(/^@/, "")));
  return [...new Set(names.filter((name) => name.length > 0))];
}

/** The people of these usernames, or a 404 naming every one that is nobody here. */
async function findPeople(db: Database, usernames: readonly string[]): Promise<Person[]> {
  const rows = await db.query<Person>("select id, username from users where username = any($1::text[])", [
    usernames,
  ]);
  const found = new Set(rows.map((row) => row.username));
  const unknown = usernames.filter((username) => !found.has(username));
  if (unknown.length > 0)
    throw new RequestError(
      404,
      unknown.length === 1
        ? `There is no one called "${unknown[0]}".`
        : `There is no one called ${unknown.map((name) => `"${name}"`).join(", ")}.`,
    );
  return rows;
}
