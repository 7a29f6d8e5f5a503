/**
 * Who among a room's members gets a push for one message, before presence is asked: the one rule,
 * so the notification levels and do-not-disturb (issue 21) plug in here and nowhere else.
 *
 * A direct conversation always notifies its other person; elsewhere a mention does. The author
 * never hears of their own message.
 */
export interface PushCandidate {
  id: string;
  username: string;
}

export interface PushMessageFacts {
  kind: string;
  authorId: string;
  /** Lower-cased usernames the text mentions. */
  mentions: readonly string[];
}

export function pushRecipients(
  message: PushMessageFacts,
  members: readonly PushCandidate[],
): PushCandidate[] {
  const direct = message.kind === "dm" || message.kind === "group";
  return members.filter(
    (member) => member.id !== message.authorId && (direct || message.mentions.includes(member.username)),
  );
}
