import type * as Y from "yjs";
import { observeTypes } from "./observe.ts";
import { ROOTS } from "./schema.ts";

export interface Member {
  userId: string;
  joinedAt: number;
  /** Who brought them in (themselves when they joined a public room). */
  addedBy: string;
}

const members = (doc: Y.Doc) => doc.getMap<Member>(ROOTS.room.members);

/** Server only. Adding someone who is already a member changes nothing. */
export function addMember(doc: Y.Doc, member: Member): boolean {
  if (members(doc).has(member.userId)) return false;
  doc.transact(() => members(doc).set(member.userId, member));
  return true;
}

/** Server only. False when they were not a member. */
export function removeMember(doc: Y.Doc, userId: string): boolean {
  if (!members(doc).has(userId)) return false;
  doc.transact(() => members(doc).delete(userId));
  return true;
}

export function isMember(doc: Y.Doc, userId: string): boolean {
  return members(doc).has(userId);
}

export function listMembers(doc: Y.Doc): Member[] {
  return [...members(doc).values()].sort((a, b) => a.joinedAt - b.joinedAt);
}

/** Calls back after each transaction that changed the member list (the "Members" dialog follows it). */
export function observeMembers(doc: Y.Doc, callback: () => void): () => void {
  return observeTypes(doc, [members(doc)], callback);
}
