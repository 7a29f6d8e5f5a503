import type * as Y from "yjs";
import { ROOTS } from "./schema.ts";

/**
 * Reactions (docs/architecture.md, "Who writes which document"): in the segment that holds the message, one entry per person,
 * message and emoji in the segment's `reactions` map, keyed `<messageId>\0<emoji>\0<userId>` with the
 * client clock of the reaction (ms) as its value. The key alone says who reacted, so the server checks
 * "as oneself" without reading anything else, and each person's reaction is a key of its own: two
 * people reacting at once never conflict, and two devices of one person toggling the same reaction
 * settle on one value (present or absent) like any map entry.
 */
export const MAX_EMOJI_LENGTH = 32;
/** Different emoji on one message; a message can take any number of people per emoji. */
export const MAX_REACTIONS_PER_MESSAGE = 20;

const SEPARATOR = "\u0000";

export const messageReactions = (doc: Y.Doc) => doc.getMap<number>(ROOTS.segment.reactions);

export interface ReactionKey {
  messageId: string;
  emoji: string;
  userId: string;
}

export function reactionKey(messageId: string, emoji: string, userId: string): string {
  return [messageId, emoji, userId].join(SEPARATOR);
}

/** The parts of a reaction key, or null when it is not one (as a key from an untrusted update may be). */
export function parseReactionKey(key: string): ReactionKey | null {
  const parts = key.split(SEPARATOR);
  if (parts.length !== 3 || parts.some((part) => part.length === 0)) return null;
  const [messageId, emoji, userId] = parts as [string, string, string];
  return { messageId, emoji, userId };
}

// Something drawn as a picture: a pictograph, a flag's regional indicators or a keycap.
const PICTURE = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20E3/u;
// Letters, spaces, controls and invisible format characters, except the joiner (U+200D) of
// sequences like 👩‍💻 and the tag characters of subdivision flags.
const NOT_EMOJI = /[\p{L}\p{White_Space}\p{Cc}\p{Zl}\p{Zp}]|(?![\u200D\u{E0020}-\u{E007F}])\p{Cf}/u;

/** Why a string cannot be a reaction, or null when it can. */
export function reactionEmojiProblem(emoji: string): string | null {
  if (emoji.length === 0) return "a reaction needs an emoji";
  if (emoji.length > MAX_EMOJI_LENGTH) return `a reaction is at most ${MAX_EMOJI_LENGTH} characters`;
  if (NOT_EMOJI.test(emoji) || !PICTURE.test(emoji)) return "a reaction is one emoji";
  return null;
}

/** Whether a value read from an untrusted update can be a reaction's value (its client clock). */
export function isReactionValue(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

export class ReactionRejected extends Error {}

const prefixOf = (messageId: string) => messageId + SEPARATOR;

/** The different emoji on a message now. */
export function reactionEmojis(doc: Y.Doc, messageId: string): Set<string> {
  const prefix = prefixOf(messageId);
  const emojis = new Set<string>();
  for (const key of messageReactions(doc).keys())
    if (key.startsWith(prefix)) {
      const parsed = parseReactionKey(key);
      if (parsed) emojis.add(parsed.emoji);
    }
  return emojis;
}

/** The different emoji on every message with reactions (one pass, for looking many up at once). */
export function reactionEmojisByMessage(doc: Y.Doc): Map<string, Set<string>> {
  const byMessage = new Map<string, Set<string>>();
  for (const key of messageReactions(doc).keys()) {
    const parsed = parseReactionKey(key);
    if (!parsed) continue;
    const emojis = byMessage.get(parsed.messageId) ?? new Set<string>();
    emojis.add(parsed.emoji);
    byMessage.set(parsed.messageId, emojis);
  }
  return byMessage;
}

/**
 * Adds the person's reaction, or takes it away when they had it. Returns whether they now have it.
 * Throws ReactionRejected for something that is not an emoji, or a new emoji past the per-message cap.
 */
export function toggleReaction(
  doc: Y.Doc,
  messageId: string,
  emoji: string,
  userId: string,
  now = Date.now(),
): boolean {
  const problem = reactionEmojiProblem(emoji);
  if (problem) throw new ReactionRejected(problem);
  const reactions = messageReactions(doc);
  const key = reactionKey(messageId, emoji, userId);
  if (reactions.has(key)) {
    doc.transact(() => reactions.delete(key));
    return false;
  }
  const emojis = reactionEmojis(doc, messageId);
  if (!emojis.has(emoji) && emojis.size >= MAX_REACTIONS_PER_MESSAGE)
    throw new ReactionRejected(
      `A message can have at most ${MAX_REACTIONS_PER_MESSAGE} different reactions.`,
    );
  doc.transact(() => reactions.set(key, now));
  return true;
}

export interface ReactionGroup {
  emoji: string;
  count: number;
  /** The person asking has reacted with this emoji. */
  mine: boolean;
  /** Who reacted, in the order they did. */
  users: string[];
}

/** A message's reactions, one group per emoji, in the order each emoji was first used. */
export function groupedReactions(doc: Y.Doc, messageId: string, userId: string): ReactionGroup[] {
  const prefix = prefixOf(messageId);
  const groups = new Map<string, { first: number; entries: Array<[number, string]> }>();
  for (const [key, at] of messageReactions(doc).entries()) {
    if (!key.startsWith(prefix)) continue;
    const parsed = parseReactionKey(key);
    if (!parsed) continue;
    const when = isReactionValue(at) ? at : 0;
    const group = groups.get(parsed.emoji) ?? { first: when, entries: [] };
    group.first = Math.min(group.first, when);
    group.entries.push([when, parsed.userId]);
    groups.set(parsed.emoji, group);
  }
  return [...groups]
    .sort(([a, x], [b, y]) => x.first - y.first || (a < b ? -1 : a > b ? 1 : 0))
    .map(([emoji, { entries }]) => {
      const users = entries.sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : 1)).map(([, user]) => user);
      return { emoji, count: users.length, mine: users.includes(userId), users };
    });
}

/**
 * Calls back with the ids of the messages whose reactions changed, so a list of messages redraws
 * only those.
 */
export function observeReactions(doc: Y.Doc, callback: (messageIds: Set<string>) => void): () => void {
  const reactions = messageReactions(doc);
  const handler = (event: Y.YMapEvent<number>) => {
    const ids = new Set<string>();
    for (const key of event.keysChanged) {
      const parsed = parseReactionKey(key);
      if (parsed) ids.add(parsed.messageId);
    }
    if (ids.size > 0) callback(ids);
  };
  reactions.observe(handler);
  return () => reactions.unobserve(handler);
}
