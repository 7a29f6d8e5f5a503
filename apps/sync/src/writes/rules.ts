import {
  type Attachment,
  type ClientWrittenRoot,
  canChangeMessage,
  clientWrites,
  type DocRef,
  isDraftRoot,
  isMessageEdit,
  isMessageRecord,
  isReactionValue,
  MAX_DRAFT_LENGTH,
  MAX_DRAFTS,
  MAX_MESSAGE_LENGTH,
  MAX_NOTIFY_ENTRIES,
  MAX_REACTIONS_PER_MESSAGE,
  MAX_SETTINGS,
  MAX_THREAD_READS_PER_MEMBER,
  type MessageEdit,
  type MessageRecord,
  messageTextProblem,
  notifyEntryProblem,
  parseMentions,
  parseReactionKey,
  parseThreadReadKey,
  ROOTS,
  reactionEmojiProblem,
  settingProblem,
} from "@chat/model";
import type { Write } from "./inspectUpdate.ts";

/**
 * Who may write what (docs/architecture.md, "Who writes which document"): returns why a write is refused, or null when every
 * write in the update is the sender's to make. Pure, so each rule is tested without a socket.
 */
export function refuseWrites(
  ref: DocRef,
  userId: string,
  writes: readonly Write[],
  lookup: MessageLookup = noMessages,
): string | null {
  for (const write of writes) {
    const problem = judge(ref, userId, asJudged(write), lookup);
    if (problem) return problem;
  }
  if (ref.kind === "segment")
    return (
      attachedFiles(ref.roomId, userId, writes, lookup) ??
      duplicateMessageId(writes, lookup) ??
      repliesHaveRoots(writes, lookup) ??
      deletedStaysDeleted(writes, lookup) ??
      reactionsPerMessage(writes, lookup)
    );
  if (ref.kind === "user") return userIndexCaps(writes, lookup);
  if (ref.kind === "room") return threadReadCap(userId, writes, lookup);
  return null;
}

/**
 * Each member's read positions in the room's threads (model threads.ts) are theirs to write, one per
 * thread; a member writing positions for made-up threads would grow the document every member loads,
 * so each may hold at most MAX_THREAD_READS_PER_MEMBER of them.
 */
function threadReadCap(userId: string, writes: readonly Write[], lookup: MessageLookup): string | null {
  const added = new Set<string>();
  for (const write of writes)
    if (
      write.op === "insert" &&
      write.root === ROOTS.room.threadReads &&
      write.key !== null &&
      !lookup.mapHas?.(ROOTS.room.threadReads, write.key)
    )
      added.add(write.key);
  if (added.size === 0) return null;
  const held = lookup.keysWithPrefix?.(ROOTS.room.threadReads, `${userId}/`) ?? 0;
  return held + added.size > MAX_THREAD_READS_PER_MEMBER
    ? `at most ${MAX_THREAD_READS_PER_MEMBER} thread read positions per member`
    : null;
}

/**
 * A map entry inserted without content (written and replaced again before the update went out) can
 * only hide the entry's value: it is judged as removing the entry, which each rule allows exactly where
 * it allows a removal (one's own read marker, one's own reaction…). Array elements (messages) and
 * text are judged as they are.
 */
function asJudged(write: Write): Write {
  return write.op === "insert" && write.contentless && write.key !== null
    ? { ...write, op: "delete", values: null }
    : write;
}

/**
 * The user index is the owner's to write, within bounds: each draft's final length (its length in the
 * document, plus the characters the update adds, minus those it removes: exact, without applying the
 * update), the number of drafts and the number of settings. An update that does not lengthen a draft
 * is accepted even when the draft is over the cap (it can only get better).
 */
function userIndexCaps(writes: readonly Write[], lookup: MessageLookup): string | null {
  const growth = new Map<string, number>();
  const newKeys = new Map<string, Set<string>>();
  for (const write of writes) {
    if (write.root === null) continue;
    if (isDraftRoot(write.root)) {
      const sign = write.op === "insert" ? 1 : -1;
      growth.set(write.root, (growth.get(write.root) ?? 0) + sign * (write.length ?? 0));
    } else if (write.op === "insert" && write.key !== null && !lookup.mapHas?.(write.root, write.key)) {
      const keys = newKeys.get(write.root) ?? new Set<string>();
      keys.add(write.key);
      newKeys.set(write.root, keys);
    }
  }
  for (const [root, added] of growth)
    if (added > 0 && (lookup.textLength?.(root) ?? 0) + added > MAX_DRAFT_LENGTH)
      return `a draft is at most ${MAX_DRAFT_LENGTH} characters`;
  const newDrafts = [...growth.keys()].filter((root) => !lookup.hasRoot?.(root)).length;
  const legacyDrafts = newKeys.get(ROOTS.user.drafts)?.size ?? 0;
  if (newDrafts + legacyDrafts > 0 && (lookup.draftCount?.() ?? 0) + newDrafts + legacyDrafts > MAX_DRAFTS)
    return `at most ${MAX_DRAFTS} drafts`;
  const newSettings = newKeys.get(ROOTS.user.settings)?.size ?? 0;
  if (newSettings > 0 && (lookup.mapSize?.(ROOTS.user.settings) ?? 0) + newSettings > MAX_SETTINGS)
    return `at most ${MAX_SETTINGS} settings`;
  const newNotify = newKeys.get(ROOTS.user.notify)?.size ?? 0;
  if (newNotify > 0 && (lookup.mapSize?.(ROOTS.user.notify) ?? 0) + newNotify > MAX_NOTIFY_ENTRIES)
    return `at most ${MAX_NOTIFY_ENTRIES} notification entries`;
  return null;
}

/** A message takes at most MAX_REACTIONS_PER_MESSAGE different emoji (counting those already there). */
function reactionsPerMessage(writes: readonly Write[], lookup: MessageLookup): string | null {
  const added = new Map<string, Set<string>>();
  for (const write of writes) {
    if (write.op !== "insert" || write.root !== ROOTS.segment.reactions || write.key === null) continue;
    const parsed = parseReactionKey(write.key);
    if (!parsed) continue; // refused already
    const emojis = added.get(parsed.messageId) ?? new Set<string>();
    emojis.add(parsed.emoji);
    added.set(parsed.messageId, emojis);
  }
  for (const [messageId, emojis] of added) {
    const present = lookup.reactionEmojis?.(messageId) ?? new Set<string>();
    let count = present.size;
    for (const emoji of emojis) if (!present.has(emoji)) count++;
    if (count > MAX_REACTIONS_PER_MESSAGE)
      return `a message takes at most ${MAX_REACTIONS_PER_MESSAGE} different reactions`;
  }
  return null;
}

/**
 * A deletion is final (model/edits.ts). For every message whose record is a deletion before the
 * update, or becomes one in it: each record the update writes for it is a deletion, the last one it
 * writes (the end of the update's chain of items for that key) is a deletion with its content, and a
 * deletion record is never removed without one taking its place. A superseded record sent without
 * content may come before the deletion (edited, then deleted, offline). Otherwise an edit, a plain
 * removal of the entry, or an empty item after the deletion would bring the deleted message back.
 */
function deletedStaysDeleted(writes: readonly Write[], lookup: MessageLookup): string | null {
  const byKey = new Map<string, Write[]>();
  for (const write of writes) {
    if (write.root !== ROOTS.segment.edits || write.key === null) continue;
    const list = byKey.get(write.key) ?? [];
    list.push(write);
    byKey.set(write.key, list);
  }
  for (const [key, list] of byKey) {
    const inserts = list.filter((w) => w.op === "insert");
    const removesDeletion = list.some((w) => w.op === "delete" && w.values?.some(isDeletion));
    const writesDeletion = inserts.some((w) => w.values?.some(isDeletion));
    if (!isDeletion(lookup.edit?.(key)) && !writesDeletion && !removesDeletion) continue;
    if (inserts.some((w) => !w.contentless && !w.values?.every(isDeletion)))
      return "a deleted message stays deleted";
    const ends = chainEnds(inserts);
    if (ends.some((w) => w.contentless)) return "a deleted message stays deleted";
    if (removesDeletion && ends.length === 0) return "a deleted message stays deleted";
  }
  return null;
}

/**
 * The inserts no other insert of the list was made right after (whose clocks no other's origin
 * names): where the update's chain for a key ends. Sorted per client and binary-searched, so a
 * crafted update with thousands of items under one key costs n log n, not n².
 */
function chainEnds(inserts: readonly Write[]): Write[] {
  const byClient = new Map<number, Write[]>();
  for (const write of inserts) {
    if (write.clock === undefined) continue;
    const list = byClient.get(write.client) ?? [];
    list.push(write);
    byClient.set(write.client, list);
  }
  for (const list of byClient.values()) list.sort((a, b) => a.clock! - b.clock!);
  const followed = new Set<Write>();
  for (const write of inserts) {
    const origin = write.origin;
    const list = origin ? byClient.get(origin.client) : undefined;
    if (!origin || !list) continue;
    // The last insert starting at or before the origin's clock; it holds that clock if long enough.
    let low = 0;
    let high = list.length - 1;
    let found: Write | undefined;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (list[mid]!.clock! <= origin.clock) {
        found = list[mid];
        low = mid + 1;
      } else high = mid - 1;
    }
    if (found && found !== write && origin.clock < found.clock! + (found.span ?? 1)) followed.add(found);
  }
  return inserts.filter((write) => !followed.has(write));
}

const isDeletion = (value: unknown): boolean => isMessageEdit(value) && value.deleted;

/**
 * A message names only files its author uploaded to this room (model/attachments.ts), each exactly as
 * the upload's row says (name, size, detected type, dimensions), not removed, and not named by another
 * message. The list cannot change afterwards: messages are never rewritten, and an edit record holds
 * text only (isMessageEdit).
 */
function attachedFiles(
  roomId: string,
  userId: string,
  writes: readonly Write[],
  lookup: MessageLookup,
): string | null {
  for (const write of writes) {
    if (write.op !== "insert" || write.root !== ROOTS.segment.messages) continue;
    for (const value of write.values ?? []) {
      if (!isMessageRecord(value) || value.attachments === undefined) continue;
      for (const attachment of value.attachments) {
        const upload = lookup.upload?.(attachment.id);
        if (!upload) return "a message names only files uploaded before it";
        if (upload.uploader !== userId) return "a message names only files its author uploaded";
        if (upload.roomId !== roomId) return "a message names only files uploaded to its room";
        if (upload.hidden) return "that file was removed";
        if (upload.messageId !== null && upload.messageId !== value.id)
          return "a file belongs to one message";
        if (!sameAttachment(attachment, upload.attachment))
          return "a message's attachment must be exactly what the upload answered";
      }
    }
  }
  return null;
}

function sameAttachment(a: Attachment, b: Attachment): boolean {
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length &&
    keys.every((key) => a[key as keyof Attachment] === b[key as keyof Attachment])
  );
}

/** What the server knows of an upload (files/attachmentRows.ts), for the message that names it. */
export interface UploadFacts {
  attachment: Attachment;
  roomId: string;
  uploader: string;
  /** The message that names it, once one does. */
  messageId: string | null;
  hidden: boolean;
}

/**
 * A message id names one message: a record replayed under another Yjs client id (same id, new item)
 * would show twice and be counted twice, so an id already in the segment, or twice in one update, is refused.
 */
function duplicateMessageId(writes: readonly Write[], lookup: MessageLookup): string | null {
  const seen = new Set<string>();
  for (const write of writes) {
    if (write.op !== "insert" || write.root !== ROOTS.segment.messages) continue;
    for (const value of write.values ?? []) {
      if (!isMessageRecord(value)) continue;
      if (seen.has(value.id) || lookup.stored?.(value.id)) return "a message id is used once";
      seen.add(value.id);
    }
  }
  return null;
}

/**
 * A reply's root is a person's message of the same room (in this segment, the same update, or an
 * older segment of the room), not itself a reply, not deleted: threads are one level deep, and a
 * reply to nothing would be a thread nobody can open.
 */
function repliesHaveRoots(writes: readonly Write[], lookup: MessageLookup): string | null {
  for (const write of writes) {
    if (write.op !== "insert" || write.root !== ROOTS.segment.messages) continue;
    for (const value of write.values ?? []) {
      if (!isMessageRecord(value) || value.threadRoot === undefined) continue;
      const here = lookup.message(value.threadRoot);
      const root = here
        ? here.event === undefined
          ? {
              threadRoot: here.threadRoot ?? null,
              deleted: lookup.edit?.(value.threadRoot)?.deleted === true,
            }
          : undefined
        : lookup.numbered?.(value.threadRoot);
      if (!root) return "a reply answers a message of its room, and that message is not there";
      if (root.threadRoot !== null) return "a reply answers a message, not another reply";
      if (root.deleted) return "the message replied to was deleted";
    }
  }
  return null;
}

/**
 * Finds a message of the segment by id (in the document, or appended by the same update), so an edit
 * can be checked against its author.
 */
export interface MessageLookup {
  message(id: string): Pick<MessageRecord, "author" | "event" | "attachments" | "threadRoot"> | undefined;
  /**
   * A numbered message of the room that the segment does not hold (looked up in Postgres before the
   * update is judged, for replies whose root is in an older segment); none: not a message of the room.
   */
  numbered?(id: string): { threadRoot: string | null; deleted: boolean } | undefined;
  /** True when the segment already holds a message with this id (before the update). */
  stored?(id: string): boolean;
  /** The different emoji on a message's reactions in the segment (before the update). */
  reactionEmojis?(messageId: string): ReadonlySet<string>;
  /** The message's current edit or deletion record in the segment (before the update). */
  edit?(id: string): MessageEdit | undefined;
  /** Facts about the document before the update, for caps: a root text's length (0 when absent)… */
  textLength?(root: string): number;
  /** …whether a root type exists… */
  hasRoot?(root: string): boolean;
  /** …how many drafts the user index holds (draft roots plus entries of the older `drafts` map)… */
  draftCount?(): number;
  /** …and a root map's size and keys. */
  mapSize?(root: string): number;
  mapHas?(root: string, key: string): boolean;
  /** …and how many live keys of a root map start with a prefix (a member's own thread read positions). */
  keysWithPrefix?(root: string, prefix: string): number;
  /** An upload by attachment id (looked up before the update is judged); none: no file may be named. */
  upload?(attachmentId: string): UploadFacts | undefined;
}

const noMessages: MessageLookup = { message: () => undefined };

/** A check of the values a client writes to one root (the table in the model says who may write it). */
type ValueCheck = (userId: string, write: Write, lookup: MessageLookup) => string | null;

/**
 * The per-value check of every root a client writes (model ROOT_WRITERS), by root name: the type asks
 * for exactly one check per client-written root, so a root opened to clients cannot go unchecked.
 */
const VALUE_CHECKS: { [Kind in DocRef["kind"]]: Record<ClientWrittenRoot<Kind>, ValueCheck> } = {
  directory: {},
  room: { reads: judgeReadMarker, threadReads: judgeThreadReadMarker },
  segment: { messages: judgeMessage, edits: judgeEdit, reactions: judgeReaction },
  user: { drafts: judgeDraftEntry, settings: judgeSetting, notify: judgeNotifyEntry },
};

function judge(ref: DocRef, userId: string, write: Write, lookup: MessageLookup): string | null {
  if (write.root === null) return "nested types are not part of the schema";
  if (!clientWrites(ref.kind, write.root)) return serverOnly(ref.kind, write.root);
  // A room's draft is a Y.Text of its own (model/drafts.ts), edited freely by the owner: only text.
  if (ref.kind === "user" && isDraftRoot(write.root))
    return write.op === "delete" || (write.key === null && write.text) ? null : "a draft holds text only";
  const checks: Partial<Record<string, ValueCheck>> = VALUE_CHECKS[ref.kind];
  const check = checks[write.root];
  return check ? check(userId, write, lookup) : serverOnly(ref.kind, write.root);
}

function serverOnly(kind: DocRef["kind"], root: string): string {
  switch (kind) {
    case "directory":
      return "the directory is written by the server only";
    case "user":
      return `"${root}" of the user index is written by the server only`;
    case "room":
      return `"${root}" of a room is written by the server only`;
    case "segment":
      return `"${root}" of a history segment is written by the server only`;
  }
}

/** An entry of the user index's older `drafts` map (one string per room, before drafts were texts). */
function judgeDraftEntry(_userId: string, write: Write): string | null {
  if (write.op === "delete") return null;
  if (write.key === null || write.values === null) return "user index entries must be plain map values";
  if (!write.values.every((v) => typeof v === "string" && v.length <= MAX_MESSAGE_LENGTH))
    return "a draft must be text within the message length limit";
  return null;
}

function judgeSetting(_userId: string, write: Write): string | null {
  if (write.op === "delete") return null;
  if (write.key === null || write.values === null) return "user index entries must be plain map values";
  for (const value of write.values) {
    const problem = settingProblem(write.key, value);
    if (problem) return problem;
  }
  return null;
}

/** A room's notification level or the do-not-disturb schedule (model/notifyLevels.ts); removing one is the owner's to do. */
function judgeNotifyEntry(_userId: string, write: Write): string | null {
  if (write.op === "delete") return null;
  if (write.key === null || write.values === null) return "user index entries must be plain map values";
  for (const value of write.values) {
    const problem = notifyEntryProblem(write.key, value);
    if (problem) return problem;
  }
  return null;
}

function judgeReadMarker(userId: string, write: Write): string | null {
  if (write.key !== userId) return "members move only their own read marker";
  if (write.op === "delete") return null;
  if (!write.values?.every((v) => Number.isSafeInteger(v) && (v as number) >= 0))
    return "a read marker is a sequence number";
  return null;
}

/** A member's position in a thread (model threads.ts): their own key, `${userId}/${rootId}`, a sequence number. */
function judgeThreadReadMarker(userId: string, write: Write): string | null {
  const key = write.key === null ? null : parseThreadReadKey(write.key);
  if (!key || key.userId !== userId || key.rootId.length > 64)
    return "members move only their own read marker in a thread";
  if (write.op === "delete") return null;
  if (!write.values?.every((v) => Number.isSafeInteger(v) && (v as number) >= 0))
    return "a read marker is a sequence number";
  return null;
}

function judgeMessage(userId: string, write: Write): string | null {
  if (write.op === "delete") return "messages are never removed; delete one with a deletion record";
  if (write.key !== null || write.values === null) return "messages are plain records in the message list";
  for (const value of write.values) {
    if (!isMessageRecord(value)) return "a message does not have the message shape";
    if (value.author !== userId) return "a message's author must be its sender";
    if (value.event !== undefined) return "only the server writes lines about the room";
    const problem = messageTextProblem(value.text, value.attachments !== undefined);
    if (problem) return problem;
    if (!mentionsMatchText(value)) return "a message's mentions are the names its text mentions";
  }
  return null;
}

/**
 * A message's `mentions` list is what its text mentions (model `parseMentions`, as `createMessage`
 * makes it), in any order: a list that names someone the text does not would add them to a private
 * room and count a mention for a line that never mentioned them. (The server also acts only on the
 * mentions it reads from the text itself; refusing the list keeps stored documents from holding it.)
 */
function mentionsMatchText(message: MessageRecord): boolean {
  const fromText = parseMentions(message.text);
  if (message.mentions.length !== fromText.length) return false;
  const claimed = new Set(message.mentions);
  return claimed.size === fromText.length && fromText.every((name) => claimed.has(name));
}

/** An edit or deletion record is keyed by the message id and written by that message's author only. */
function judgeEdit(userId: string, write: Write, lookup: MessageLookup): string | null {
  if (write.key === null) return "an edit is keyed by the message it changes";
  const message = lookup.message(write.key);
  if (!message) return "an edit must refer to a message of this segment";
  if (!canChangeMessage(message, userId)) return "only its author edits or deletes a message";
  // The admin's removal is the server's record: its author may not replace it, even by a deletion
  // of their own (which would hide that an admin removed it).
  if (lookup.edit?.(write.key)?.removedByAdmin === true) return "an admin removed this message";
  if (write.op === "delete") return null; // the author replacing their own earlier edit
  if (write.values === null || !write.values.every((value) => isMessageEdit(value, message)))
    return "an edit does not have the edit shape";
  if (write.values.some((value) => (value as MessageEdit).removedByAdmin !== undefined))
    return "only the server marks a message removed by an admin";
  return null;
}

/**
 * A reaction is keyed `<messageId>\0<emoji>\0<userId>` (model/reactions.ts): each member adds and
 * removes only entries with their own user id, on a message of this segment that a person wrote, with
 * an emoji, and the client clock as the value. A deleted message's reactions are not shown, but one
 * made offline while the author deleted it is accepted: refusing it would drop the whole offline
 * update it came in, messages included.
 */
function judgeReaction(userId: string, write: Write, lookup: MessageLookup): string | null {
  const parsed = write.key === null ? null : parseReactionKey(write.key);
  if (!parsed) return "a reaction is keyed by message, emoji and person";
  if (parsed.userId !== userId) return "members react only as themselves";
  if (write.op === "delete") return null; // taking back one's own reaction
  const message = lookup.message(parsed.messageId);
  if (!message || message.event !== undefined) return "a reaction must refer to a message of this segment";
  const problem = reactionEmojiProblem(parsed.emoji);
  if (problem) return problem;
  if (write.values === null || !write.values.every(isReactionValue)) return "a reaction's value is its time";
  return null;
}
