import { isDoNotDisturbAt, type RoomKind, resolveNotifyLevel, shouldNotify } from "@chat/model";
import type { NotifyPrefs } from "../notify/notifyPrefs.ts";

/**
 * Who among a room's members gets a push for one message, before presence is asked: the one rule.
 * The model's (`shouldNotify`): a direct conversation always calls its other person; elsewhere the
 * person's level for the room decides ("All messages", "Mentions only", "Nothing"), and do not
 * disturb pauses every call. The author never hears of their own message.
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
      shouldNotify({ level, mentioned, kind: message.kind }) && !isDoNotDisturbAt(pref?.dnd ?? null, now)
    );
  });
}
