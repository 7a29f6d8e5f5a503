import { appendMessage, canAddPeople, createEventLine, type MessageView, stampSequence } from "@chat/model";
import type * as Y from "yjs";
import type { Database } from "../db/database.ts";
import type { DocumentWriter } from "../docs/writer.ts";
import { addMember, allocateSequence, getRoom, toRoomMeta } from "../rooms.ts";
import { recordRead } from "./queries.ts";
import { withMentionsFromText } from "./textMentions.ts";

/**
 * "@bob" in a room bob is not in brings him in (as Chatter does): the author adds him, a line "alice
 * added bob" follows the message in the history, and bob's read position starts just before the
 * message, so it is his first unread message and counts as a mention. DMs stay two people; archived
 * rooms take nobody in. Returns the ids of the people added.
 */
export async function addMentionedPeople(
  db: Database,
  writer: DocumentWriter,
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
  if (!row || !canAddPeople(toRoomMeta(row), true)) return [];
  const names = [...new Set(withMentions.flatMap((m) => m.mentions))];
  const people = await db.query<{ id: string; username: string }>(
    "select id, username from users where username = any($1::text[])",
    [names],
  );
  const byUsername = new Map(people.map((p) => [p.username, p]));
  const added: Array<{ by: string; user: { id: string; username: string } }> = [];
  for (const message of withMentions)
    for (const name of message.mentions) {
      const person = byUsername.get(name);
      if (!person || person.id === message.author) continue;
      if (!(await addMember(db, roomId, person.id, message.author))) continue;
      await recordRead(db, roomId, person.id, message.seq! - 1);
      added.push({ by: message.author, user: person });
    }
  if (added.length === 0) return [];

  const authors = await db.query<{ id: string; username: string }>(
    "select id, username from users where id = any($1::text[])",
    [[...new Set(added.map((a) => a.by))]],
  );
  const authorName = new Map(authors.map((a) => [a.id, a.username]));
  const first = await allocateSequence(db, roomId, added.length);
  const lines = added.map(({ by, user }) =>
    createEventLine(by, `${authorName.get(by) ?? "someone"} added ${user.username}`, {
      type: "member-added",
      userId: user.id,
    }),
  );
  if (!segment.isDestroyed)
    await writer.change(segmentName, segment, (doc) => {
      for (const line of lines) appendMessage(doc, line);
      stampSequence(doc, new Map(lines.map((line, i) => [line.id, first + i])));
    });
  await writer.refreshRoom(roomId);
  for (const { user } of added) await writer.refreshUserIndex(user.id);
  return added.map((a) => a.user.id);
}
