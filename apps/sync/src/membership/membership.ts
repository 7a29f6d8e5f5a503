import { dmParticipants } from "@chat/model";
import type * as Y from "yjs";
import type { Database } from "../db/database.ts";
import type { DocumentWriter } from "../docs/writer.ts";
import type { Projector } from "../projections/projector.ts";
import { type RoomLine, writeRoomLines, writeToNewestSegment } from "../rooms/roomLines.ts";
import {
  addMember,
  deleteMember,
  ensureDmRoom,
  ensureGroupRoom,
  getRoom,
  listMembers,
  type RoomRow,
  rekeyGroup,
} from "../rooms/rooms.ts";
import { lastSeqOf, recordRead } from "../userIndex/queries.ts";

export interface Person {
  id: string;
  username: string;
}

/** Someone a mention brings in: `readSeq` is just before the message, so it is their first unread one. */
export interface MentionedPerson {
  person: Person;
  /** The id of the message's author, who brings them in. */
  by: string;
  readSeq: number;
}

/**
 * Bringing a person into a room, with everything that goes with it: the `room_members` row, their
 * read position, the line "alice added bob" in the history, and the projections (the room's member
 * list, the person's index); and taking them out again ("alice removed bob", "bob left"). Joining a public room (extensions/access.ts), "Add people"
 * (http/roomRoutes.ts), mention invites (mentionInvites.ts), the start of a DM or a group DM
 * (http/conversationRoutes.ts) all come here, so a member
 * is added the same way whichever door they come through.
 */
export class Membership {
  private readonly db: Database;
  private readonly writer: DocumentWriter;
  private readonly projector: Projector;
  /** Closes the person's open documents of the room on every instance (EndedMemberships). */
  private readonly ended: (roomId: string, userId: string, explanation: string) => Promise<void>;
  /** Closes the person's read-only previews of the room on every instance, to be reopened writable. */
  private readonly began: (roomId: string, userId: string) => Promise<void>;

  constructor(
    db: Database,
    writer: DocumentWriter,
    projector: Projector,
    ended: (roomId: string, userId: string, explanation: string) => Promise<void> = async () => {},
    began: (roomId: string, userId: string) => Promise<void> = async () => {},
  ) {
    this.db = db;
    this.writer = writer;
    this.projector = projector;
    this.ended = ended;
    this.began = began;
  }

  /** `by` takes `person` out of the room: "alice removed bob". False when they were not in it. */
  async remove(roomId: string, by: Person, person: Person): Promise<boolean> {
    return this.end(roomId, person.id, `you were removed from this room by ${by.username}`, {
      by: by.id,
      text: `${by.username} removed ${person.username}`,
      event: { type: "member-removed", userId: person.id },
    });
  }

  /** `person` leaves the room: "bob left". False when they were not in it. */
  async leave(roomId: string, person: Person): Promise<boolean> {
    return this.end(roomId, person.id, "you left this room", {
      by: person.id,
      text: `${person.username} left`,
      event: { type: "member-left", userId: person.id },
    });
  }

  /**
   * The row goes first and the person's open documents of the room close at once, everywhere; then
   * the line in the history, the room's member list and the person's index follow.
   */
  private async end(roomId: string, userId: string, explanation: string, line: RoomLine): Promise<boolean> {
    if (!(await deleteMember(this.db, roomId, userId))) return false;
    await this.ended(roomId, userId, explanation);
    const group = (await getRoom(this.db, roomId))?.kind === "group";
    // A group conversation is now the conversation of the people still in it.
    if (group) await rekeyGroup(this.db, roomId);
    await writeToNewestSegment(this.db, this.writer, roomId, [line]);
    await this.projector.refreshRoom(roomId);
    await this.projector.refreshUserIndex(userId);
    // Each one's name for a group is the others' usernames: the person who went leaves every one.
    if (group)
      for (const member of await listMembers(this.db, roomId))
        await this.projector.refreshUserIndex(member.user_id);
    return true;
  }

  /**
   * The person joins a public room ("Join room", POST /api/rooms/<id>/join), reading from its newest
   * message (not with its whole history unread). No line in the history: nobody brought them. False
   * when they were already in.
   */
  async join(roomId: string, userId: string): Promise<boolean> {
    if (!(await this.admit(roomId, userId, userId, "newest"))) return false;
    await this.project(roomId, [userId]);
    return true;
  }

  /**
   * A direct conversation begins: its room and both people's rows, then it enters both indexes.
   * Null when `roomId` is not a DM of `userId` with someone who exists.
   */
  async beginDirect(roomId: string, userId: string): Promise<RoomRow | null> {
    const room = await ensureDmRoom(this.db, roomId, userId);
    if (room)
      for (const member of dmParticipants(roomId) ?? []) await this.projector.refreshUserIndex(member);
    return room;
  }

  /**
   * A group conversation of `starter` and `others` (2–8 people, checked by the caller) begins, or the
   * one these exact people already have is found: its room and everyone's rows, then it enters
   * everyone's index. Nobody is added to it later (a group is its people); they leave it themselves.
   */
  async startGroup(starter: Person, others: readonly Person[]): Promise<{ room: RoomRow; created: boolean }> {
    const memberIds = [starter.id, ...others.map((person) => person.id)];
    const started = await ensureGroupRoom(this.db, starter.id, memberIds);
    if (started.created) {
      await this.projector.refreshRoom(started.room.id);
      for (const member of memberIds) await this.projector.refreshUserIndex(member);
    }
    return started;
  }

  /** `by` adds `person`, who starts reading at the newest message. False when they were already in. */
  async add(roomId: string, by: Person, person: Person): Promise<boolean> {
    if (!(await this.admit(roomId, person.id, by.id, "newest"))) return false;
    await writeToNewestSegment(this.db, this.writer, roomId, addedLines([{ by, person }]));
    await this.project(roomId, [person.id]);
    return true;
  }

  /**
   * People mentioned in messages of `segment` (loaded, in a hook) are brought in by the authors; the
   * lines follow the messages in that segment. Returns the ids of those who were not in before.
   */
  async addMentioned(
    roomId: string,
    segmentName: string,
    segment: Y.Doc,
    mentioned: readonly MentionedPerson[],
  ): Promise<string[]> {
    const admitted: MentionedPerson[] = [];
    for (const entry of mentioned)
      if (await this.admit(roomId, entry.person.id, entry.by, entry.readSeq)) admitted.push(entry);
    if (admitted.length === 0) return [];
    // Only now, when someone was brought in: most mentions are of people already in the room.
    const authors = await this.db.query<Person>("select id, username from users where id = any($1::text[])", [
      [...new Set(admitted.map((a) => a.by))],
    ]);
    const authorName = new Map(authors.map((a) => [a.id, a.username]));
    const added = admitted.map(({ person, by }) => ({
      person,
      by: { id: by, username: authorName.get(by) ?? "someone" },
    }));
    await writeRoomLines(this.db, roomId, addedLines(added), (change) =>
      segment.isDestroyed ? Promise.resolve() : this.writer.change(segmentName, segment, change),
    );
    const ids = added.map((a) => a.person.id);
    await this.project(roomId, ids);
    return ids;
  }

  /** The row and the read position; false (and nothing written) when the person was already in. */
  private async admit(
    roomId: string,
    userId: string,
    addedBy: string,
    readSeq: number | "newest",
  ): Promise<boolean> {
    if (!(await addMember(this.db, roomId, userId, addedBy))) return false;
    await recordRead(
      this.db,
      roomId,
      userId,
      readSeq === "newest" ? await lastSeqOf(this.db, roomId) : readSeq,
    );
    return true;
  }

  /**
   * The room's member list and the new members' indexes follow the rows; then any preview of the room
   * a new member has open (read-only) closes, so it reopens writable with the room in their index.
   */
  private async project(roomId: string, userIds: readonly string[]): Promise<void> {
    await this.projector.refreshRoom(roomId);
    for (const userId of userIds) await this.projector.refreshUserIndex(userId);
    for (const userId of userIds) await this.began(roomId, userId);
  }
}

/** "alice added bob" lines. */
function addedLines(added: ReadonlyArray<{ by: Person; person: Person }>): RoomLine[] {
  return added.map(({ by, person }) => ({
    by: by.id,
    text: `${by.username} added ${person.username}`,
    event: { type: "member-added", userId: person.id },
  }));
}
