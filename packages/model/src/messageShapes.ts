import type { Attachment } from "./attachments.ts";

/**
 * The shapes of a message, apart from the functions over them (messages.ts, edits.ts), so that
 * edits.ts can name them without importing messages.ts, which imports edits.ts.
 */

/**
 * A message as stored: an immutable plain-JSON record in the segment's Y.Array. Plain JSON costs about
 * a quarter of the memory of a Y.Map per message (docs/architecture.md). Edits and deletions are separate records.
 */
export interface MessageRecord {
  id: string;
  /** User id of the author; the server refuses a message whose author is not its sender. */
  author: string;
  /** Client clock at creation, ms since epoch. Display only: order comes from `seq`. */
  createdAt: number;
  /** Markdown source. */
  text: string;
  /** Lower-cased usernames mentioned in the text. */
  mentions: string[];
  /**
   * Files attached to the message (model/attachments.ts), at most MAX_ATTACHMENTS_PER_MESSAGE; left
   * out when there are none. Immutable like the text: an edit changes the text only. The text may be
   * empty when there is at least one.
   */
  attachments?: Attachment[];
  /** Set on lines the server writes about the room itself ("alice added bob"); never on a person's message. */
  event?: MessageEvent;
  /**
   * A reply in a thread names the message it replies to (threads.ts): a person's message of the same room
   * that is not itself a reply. Replies live in the room's segments like every message, so they are
   * numbered, stored and checked the same way.
   */
  threadRoot?: string;
  /** A reply also shown in the room's timeline and counted in its unread count ("Also send to room"). */
  alsoInRoom?: true;
}

/**
 * Something that happened in the room, written by the server as a line in the history (the record's
 * author is who did it, its text says it for apps that do not know the type).
 */
export type MessageEvent =
  | {
      type: "member-added";
      /** Who was added. */
      userId: string;
    }
  | {
      /** Someone (the line's author) took `userId` out of the room. */
      type: "member-removed";
      userId: string;
    }
  | {
      /** `userId` (the line's author too) left the room. */
      type: "member-left";
      userId: string;
    }
  | {
      type: "room-renamed";
      /** The room's new name. */
      name: string;
    };

/**
 * A message as shown: the record with its edit applied (`text` and `mentions` are the effective ones;
 * a deleted message has empty text and no mentions), plus its server sequence number (null while pending).
 */
export interface MessageView extends MessageRecord {
  seq: number | null;
  /**
   * The time to show it under: when the server numbered it, by the server's clock (so a sender whose
   * clock is days off cannot put a message under the wrong day); the sender's own `createdAt` while
   * it is pending, and for messages numbered before the server kept the time.
   */
  at: number;
  /** The author changed the text after sending it. */
  edited: boolean;
  /** The author deleted it: shown as "message deleted". */
  deleted: boolean;
  /** The workspace admin removed it (deleted is true too): shown as "message removed by an admin". */
  removedByAdmin?: boolean;
}
