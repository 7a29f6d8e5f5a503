import type * as Y from "yjs";
import { parseMentions } from "./mentions.ts";
import type { MessageRecord, MessageView } from "./messageShapes.ts";
import { ROOTS } from "./schema.ts";
import { messageTextProblem } from "./validation.ts";

/**
 * Edits and deletions (docs/architecture.md, "Who writes which document"): messages stay immutable; the author's latest
 * change to one is a separate record in the segment's `edits` map, keyed by the message id. Only the
 * author writes it (the server refuses anyone else), so concurrent changes are the author's own
 * devices and the last one wins. A deletion is final: an edit never brings a deleted message back.
 */
export interface MessageEdit {
  /** The new Markdown text; empty for a deletion. */
  text: string;
  deleted: boolean;
  /** Client clock at the change, ms since epoch (the server's, for a removal by the admin). */
  at: number;
  /**
   * Only on a deletion the server wrote because the workspace admin removed the message: it shows as
   * "message removed by an admin". No client may write it (the write rules refuse it).
   */
  removedByAdmin?: true;
}

export const messageEdits = (doc: Y.Doc) => doc.getMap<MessageEdit>(ROOTS.segment.edits);

export class EditRejected extends Error {}

/**
 * Replaces the text of one's own message, or throws EditRejected with a sentence. The attachments
 * stay as they were sent; with at least one, the text may become empty.
 */
export function editMessage(
  doc: Y.Doc,
  message: Pick<MessageRecord, "id" | "author" | "attachments">,
  userId: string,
  text: string,
  now = Date.now(),
): void {
  if (message.author !== userId) throw new EditRejected("You can only edit your own messages.");
  if (messageEdits(doc).get(message.id)?.deleted) throw new EditRejected("This message was deleted.");
  const problem = messageTextProblem(text, hasAttachments(message));
  if (problem) throw new EditRejected(problem);
  doc.transact(() => messageEdits(doc).set(message.id, { text, deleted: false, at: now }));
}

/** Deletes one's own message (its text is gone for everyone), or throws EditRejected. */
export function deleteMessage(
  doc: Y.Doc,
  message: Pick<MessageRecord, "id" | "author">,
  userId: string,
  now = Date.now(),
): void {
  if (message.author !== userId) throw new EditRejected("You can only delete your own messages.");
  doc.transact(() => messageEdits(doc).set(message.id, { text: "", deleted: true, at: now }));
}

/**
 * Server only: the workspace admin removed someone's message. The record is a deletion like the
 * author's own (final, hides the files), marked so everyone sees who removed it.
 */
export function removeMessageAsAdmin(doc: Y.Doc, messageId: string, now = Date.now()): void {
  doc.transact(() =>
    messageEdits(doc).set(messageId, { text: "", deleted: true, at: now, removedByAdmin: true }),
  );
}

const hasAttachments = (message: Pick<MessageRecord, "attachments">) =>
  (message.attachments?.length ?? 0) > 0;

/** The message as it shows after its edit record (if any). A deleted message shows no text and no files. */
export function applyEdit(view: MessageView, edit: MessageEdit | undefined): MessageView {
  if (!edit) return view;
  if (edit.deleted) {
    const { attachments: _hidden, ...rest } = view;
    const removed = { ...rest, text: "", mentions: [], edited: false, deleted: true };
    return edit.removedByAdmin === true ? { ...removed, removedByAdmin: true } : removed;
  }
  return { ...view, text: edit.text, mentions: parseMentions(edit.text), edited: true, deleted: false };
}

/**
 * Whether a value read from an update or a document has the shape of a MessageEdit; its text may be
 * empty when the message it edits has attachments (`message`, when known). A removal by the admin is
 * one (a deletion with `removedByAdmin: true`); the write rules refuse that mark from any client.
 */
export function isMessageEdit(
  value: unknown,
  message: Pick<MessageRecord, "attachments"> = {},
): value is MessageEdit {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const e = value as Record<string, unknown>;
  return (
    typeof e.text === "string" &&
    typeof e.deleted === "boolean" &&
    typeof e.at === "number" &&
    Number.isFinite(e.at) &&
    (Object.keys(e).length === 3 ||
      (Object.keys(e).length === 4 && e.removedByAdmin === true && e.deleted === true)) &&
    (e.deleted ? e.text === "" : messageTextProblem(e.text, hasAttachments(message)) === null)
  );
}
