import { canAddPeople, type MessageView } from "@chat/model";
import type * as Y from "yjs";
import type { Database } from "../db/database.ts";
import { getRoom, toRoomMeta } from "../rooms/rooms.ts";
import { withMentionsFromText } from "../userIndex/textMentions.ts";
import type { Membership, MentionedPerson } from "./membership.ts";

/**
 * "@bob" in a public room bob is not in brings him in (as Chatter does): the author adds him, a line
 * "alice added bob" follows the message in the history, and bob's read position starts just before the
 * message, so it is his first unread message and counts as a mention. A private room never takes
 * anyone in by a mention: bob would see its whole history, so the app asks first ("bob is not in this
 * private room. Add them?") and "Add" goes through POST /api/rooms/<id>/members before the message
 * is sent; "Send without adding" just sends. DMs stay their people; archived rooms take nobody in.
 * Returns the ids of the people added.
 */
export async function addMentionedPeople(
  db: Database,
  membership: Membership,
  roomId: string,
  segmentName: string,
  segment: Y.Doc,
  messages: readonly MessageView[],
): Promise<string[]> {
  const withMentions = withMentionsFromText(messages).filter(
    (m) => m.seq !== null && m.event === undefined && m.mentions.length > 0,
  );
  if (withMentions.length === 0) return [];
  const row = await getRoom(db, roomId);
  if (row?.kind !== "channel" || !canAddPeople(toRoomMeta(row), true)) return [];
  const names = [...new Set(withMentions.flatMap((m) => m.mentions))];
  const people = await db.query<{ id: string; username: string }>(
    "select id, username from users where username = any($1::text[])",
    [names],
  );
  const byUsername = new Map(people.map((p) => [p.username, p]));
  const mentioned: MentionedPerson[] = [];
  for (const message of withMentions)
    for (const name of message.mentions) {
      const person = byUsername.get(name);
      if (!person || person.id === message.author) continue;
      mentioned.push({ person, by: message.author, readSeq: message.seq! - 1 });
    }
  if (mentioned.length === 0) return [];
  return membership.addMentioned(roomId, segmentName, segment, mentioned);
}
