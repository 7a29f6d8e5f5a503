import type { MessageRecord } from "./messages.ts";
import { isDirectConversation, type RoomMeta } from "./rooms.ts";

/**
 * Who may do what, in one place, so the server's checks and the UI's buttons agree (SECURITY.md,
 * "What is checked where"). Pure functions over plain values.
 */

/** Only the author edits or deletes a message, and nobody touches the server's lines about the room. */
export function canChangeMessage(message: Pick<MessageRecord, "author" | "event">, userId: string): boolean {
  return message.author === userId && message.event === undefined;
}

/**
 * Renaming, setting the topic and archiving a room: its creator, or the workspace admin (who runs the
 * workspace: any room); a DM or group DM has nothing to manage.
 */
export function canManageRoom(
  room: Pick<RoomMeta, "kind" | "createdBy">,
  userId: string,
  isAdmin = false,
): boolean {
  return !isDirectConversation(room.kind) && (room.createdBy === userId || isAdmin);
}

/**
 * Bringing someone into a room (by mention or "Add people"): any member of a channel or private room,
 * and the workspace admin into any of them. A DM stays two people; a group DM stays its people (as in
 * Slack, including someone else is a new conversation, so the same people always mean the same room);
 * an archived room stays as it is.
 */
export function canAddPeople(
  room: Pick<RoomMeta, "kind" | "archived">,
  isMember: boolean,
  isAdmin = false,
): boolean {
  return (isMember || isAdmin) && !isDirectConversation(room.kind) && !room.archived;
}

/**
 * The workspace admin removes anyone's message (shown as "message removed by an admin"), through the
 * server (POST /api/admin/…): never a line about the room, and never by editing its text. Their own
 * messages they delete as anyone does.
 */
export function canRemoveAsAdmin(
  message: Pick<MessageRecord, "author" | "event">,
  by: { id: string; isAdmin: boolean },
): boolean {
  return by.isAdmin && message.event === undefined && message.author !== by.id;
}

/** Who may open (read) a room: members; a public room lets anyone join by opening it. */
export function canOpenRoom(room: Pick<RoomMeta, "kind">, isMember: boolean): boolean {
  return isMember || room.kind === "channel";
}

/**
 * Taking someone out of a room: its creator or the workspace admin, never the creator themselves
 * (they would leave instead), never in a DM (it is its two people) nor a group DM (its people leave
 * it themselves; nobody owns it).
 */
export function canRemoveMember(
  room: Pick<RoomMeta, "kind" | "createdBy">,
  by: { id: string; isAdmin: boolean },
  personId: string,
): boolean {
  if (isDirectConversation(room.kind) || personId === by.id || personId === room.createdBy) return false;
  return room.createdBy === by.id || by.isAdmin;
}

/** Why someone may not leave a room, or null when they may. A group DM may be left (as in Slack); a DM not. */
export function leaveProblem(
  room: Pick<RoomMeta, "kind">,
  memberCount: number,
): "dm" | "last-private-member" | null {
  if (room.kind === "dm") return "dm";
  // A private room nobody is in could never be opened again: its last member archives it instead.
  if (room.kind === "private" && memberCount <= 1) return "last-private-member";
  return null;
}
