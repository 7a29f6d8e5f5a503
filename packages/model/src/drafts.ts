import type * as Y from "yjs";
import { MAX_MESSAGE_LENGTH, ROOTS } from "./schema.ts";

/**
 * Drafts: what a person typed in a room and has not sent, in their own `user:<id>` document, so it
 * survives a reload and follows them to their other devices. One Y.Text per room (a root type named
 * `drafts:<roomId>`): typing on two devices at once merges character by character instead of one
 * device's draft overwriting the other's, which a plain string per room would do.
 */
const PREFIX = `${ROOTS.user.drafts}:`;

export function draftRootName(roomId: string): string {
  return PREFIX + roomId;
}

/** Whether a root type name of the user document is a room's draft. */
export function isDraftRoot(name: string): boolean {
  return name.startsWith(PREFIX) && name.length > PREFIX.length && name.length <= PREFIX.length + 64;
}

/**
 * How many drafts a user index holds: the rooms' draft texts plus the live entries of the older
 * `drafts` map (a string per room). Read from the document's roots as they are, without creating any
 * (the server counts on a document that a refused update must leave untouched).
 */
export function draftCount(doc: Y.Doc): number {
  let count = 0;
  for (const item of doc.share.get(ROOTS.user.drafts)?._map.values() ?? []) if (!item.deleted) count++;
  for (const name of doc.share.keys()) if (isDraftRoot(name)) count++;
  return count;
}

const draftText = (doc: Y.Doc, roomId: string) => doc.getText(draftRootName(roomId));

export function readDraft(doc: Y.Doc, roomId: string): string {
  return draftText(doc, roomId).toString();
}

/**
 * Makes the draft read `text`, by changing only the part that differs (the common start and end stay
 * untouched), so a concurrent change on another device in another part of the draft is kept.
 */
export function setDraft(doc: Y.Doc, roomId: string, text: string): void {
  const draft = draftText(doc, roomId);
  const current = draft.toString();
  const next = text.slice(0, MAX_MESSAGE_LENGTH);
  if (current === next) return;
  let start = 0;
  while (start < current.length && start < next.length && current[start] === next[start]) start++;
  let end = 0;
  while (
    end < current.length - start &&
    end < next.length - start &&
    current[current.length - 1 - end] === next[next.length - 1 - end]
  )
    end++;
  doc.transact(() => {
    const removed = current.length - start - end;
    if (removed > 0) draft.delete(start, removed);
    const inserted = next.slice(start, next.length - end);
    if (inserted.length > 0) draft.insert(start, inserted);
  });
}

export function observeDraft(doc: Y.Doc, roomId: string, callback: () => void): () => void {
  const draft = draftText(doc, roomId);
  const handler = () => callback();
  draft.observe(handler);
  return () => draft.unobserve(handler);
}
