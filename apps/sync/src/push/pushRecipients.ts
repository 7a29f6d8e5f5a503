import { isDoNotDisturbAt, type RoomKind, resolveNotifyLevel, shouldNotify } from "@chat/model";
import type { NotifyPrefs } from "../notify/notifyPrefs.ts";

/**
 * Who among a room's members gets a push for one message, before presence is asked: the one rule.
 * The model's (`shouldNotify`): a direct conversation always calls its other person; elsewhere the
 * person's level for the room decides ("All messages", "Mentions only", "Nothing"), and do not
 * disturb pauses every call. The author never hears of their own message. A thread reply calls its
 * thread's followers (`followers`, from thread_follows) and, unless also sent to the room, nobody else
 * but those it mentions.
 */
export interface PushCandidate {
  id: string;
  username: string;
}

export interface PushMessageFacts {
  kind: RoomKind;
  authorId: string;
  /** Lower-cased usernames the text mentions. */
  mentions: readonly string[];
  /** A reply: who follows its thread (user ids), and whether it was also sent to the room. */
  thread?: { followers: ReadonlySet<string>; alsoInRoom: boolean };
}

export function pushRecipients(
  message: PushMessageFacts,
  members: readonly PushCandidate[],
  prefs: ReadonlyMap<string, NotifyPrefs>,
  now: number,
): PushCandidate[] {
  return members.filter((member) => {
    if (member.id === message.authorId) return false;
    const pref = prefs.get(member.id);
    const level = pref?.level ?? resolveNotifyLevel(undefined, message.kind);
    const mentioned = message.mentions.includes(member.username);
    return (
      shouldNotify({
        level,
        mentioned,
        kind: message.kind,
        followedThread: message.thread?.followers.has(member.id),
        alsoInRoom: message.thread?.alsoInRoom,
      }) && !isDoNotDisturbAt(pref?.dnd ?? null, now)
    );
  });
}
