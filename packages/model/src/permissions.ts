import type { MessageRecord } from "./messages.ts";
import type { RoomMeta } from "./rooms.ts";

/**
 * Who may do what, in one place, so the server's checks and the UI's buttons agree (DESIGN.md,
 * "Identity and access"). Pure functions over plain values.
 */

/** Only the author edits or deletes a message, and nobody touches the server's lines about the room. */
export function canChangeMessage(message: Pick<MessageRecord, "author" | "event">, userId: string): boolean {
  return message.author === userId && message.event === undefined;
}

/** Renaming, setting the topic and archiving a room: its creator only; a DM has nothing to manage. */
export function canManageRoom(room: Pick<RoomMeta, "kind" | "createdBy">, userId: string): boolean {
  return room.kind !== "dm" && room.createdBy === userId;
}

/** Bringing someone into a room (by mention or "Add people"): any member of a channel or private room; a DM stays two people. */
export function canAddPeople(room: Pick<RoomMeta, "kind" | "archived">, isMember: boolean): boolean {
  return isMember && room.kind !== "dm" && !room.archived;
}

/** Who may open (read) a room: members; a public room lets anyone join by opening it. */
export function canOpenRoom(room: Pick<RoomMeta, "kind">, isMember: boolean): boolean {
  return isMember || room.kind === "channel";
}
