import type * as Y from "yjs";
import { ROOTS } from "./schema.ts";

/**
 * Read positions are sequence numbers, kept per member in the room document. Each member moves only
 * their own, and only forward: a stale device cannot un-read what another device read.
 */
const reads = (doc: Y.Doc) => doc.getMap<number>(ROOTS.room.reads);

export function readPosition(doc: Y.Doc, userId: string): number {
  return reads(doc).get(userId) ?? 0;
}

export function markReadUpTo(doc: Y.Doc, userId: string, seq: number): boolean {
  if (!Number.isSafeInteger(seq) || seq <= readPosition(doc, userId)) return false;
  doc.transact(() => reads(doc).set(userId, seq));
  return true;
}
