import type { MessageView } from "@chat/model";
import type { Database } from "../db/database.ts";
import type { Logger } from "../log.ts";
import { readNotifyPrefs } from "../notify/notifyPrefs.ts";
import { getRoom } from "../rooms/rooms.ts";
import { withMentionsFromText } from "../userIndex/textMentions.ts";
import { pushPayload } from "./pushPayload.ts";
import { type PushCandidate, pushRecipients } from "./pushRecipients.ts";
import type { PushOptions, PushSender } from "./pushSender.ts";
import { subscriptionsOf } from "./subscriptions.ts";

/** How long a push service keeps a push for a device that is offline: a day-old DM still matters. */
export const PUSH_TTL_SECONDS = 24 * 60 * 60;
/** How long "does anyone have a subscription at all" is believed (it is asked before anything else). */
const ANYONE_SUBSCRIBED_FOR_MS = 10_000;

/**
 * Decides, once per batch of numbered messages, who gets a push, and queues the pushes. The sequencer
 * calls `messagesNumbered`, which returns at once: the decision and the sends never hold up numbering
 * or delivery.
 *
 * The work is kept to the people it can concern: nobody at all while no subscription exists (one
 * query every 10 s); then only the room's members with a subscription are candidates, the rule
 * (`pushRecipients`) picks among them, and presence is asked of those picked alone. Each person gets
 * at most one push per batch, for the newest message that concerns them (the notification has one
 * tag per room, so older ones would be replaced anyway).
 */
export class PushNotifier {
  private readonly db: Database;
  private readonly sender: PushSender;
  private readonly inView: (userIds: readonly string[]) => Promise<Set<string>>;
  private readonly log: Logger;
  private anyoneSubscribed: { value: boolean; until: number } | null = null;
  private readonly running = new Set<Promise<void>>();

  constructor(
    db: Database,
    sender: PushSender,
    inView: (userIds: readonly string[]) => Promise<Set<string>>,
    log: Logger,
  ) {
    this.db = db;
    this.sender = sender;
    this.inView = inView;
    this.log = log;
  }

  /** Those of `userIds` with the app in view on some device (whom no push goes to). */
  looking(userIds: readonly string[]): Promise<Set<string>> {
    return this.inView(userIds);
  }

  /** A subscription was added here: stop believing nobody has one. */
  subscribed(): void {
    this.anyoneSubscribed = null;
  }

  /** The sequencer's listener: decides in the background. */
  messagesNumbered(roomId: string, messages: readonly MessageView[]): void {
    const work = this.decide(roomId, messages)
      .catch((error) => this.log.error({ room: roomId, error: String(error) }, "cannot decide on pushes"))
      .finally(() => this.running.delete(work));
    this.running.add(work);
  }

  /** Resolves once every decision so far is made and its pushes sent (tests). */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running);
    await this.sender.settled();
  }

  private async hasSubscribers(): Promise<boolean> {
    const now = Date.now();
    if (this.anyoneSubscribed && this.anyoneSubscribed.until > now) return this.anyoneSubscribed.value;
    const [row] = await this.db.query<{ any: boolean }>(
      "select exists (select 1 from push_subscriptions) as any",
    );
    this.anyoneSubscribed = { value: !!row?.any, until: now + ANYONE_SUBSCRIBED_FOR_MS };
    return this.anyoneSubscribed.value;
  }

  private async decide(roomId: string, batch: readonly MessageView[]): Promise<void> {
    const messages = withMentionsFromText(
      batch.filter((m) => m.seq !== null && m.event === undefined && !m.deleted),
    );
    if (messages.length === 0 || !(await this.hasSubscribers())) return;
    const members = await this.db.query<PushCandidate>(
      `select u.id, u.username from room_members m join users u on u.id = m.user_id
       where m.room_id = $1 and exists (select 1 from push_subscriptions p where p.user_id = m.user_id)`,
      [roomId],
    );
    if (members.length === 0) return;
    const room = await getRoom(this.db, roomId);
    if (!room) return;
    const prefs = await readNotifyPrefs(
      this.db,
      members.map((m) => m.id),
      roomId,
    );
    const followers = await this.followersOf(roomId, messages, members);
    const now = Date.now();
    // Newest first: each person is pushed the newest message that concerns them.
    const newest = new Map<string, MessageView>();
    for (const message of [...messages].sort((a, b) => b.seq! - a.seq!)) {
      const facts = {
        kind: room.kind,
        authorId: message.author,
        mentions: message.mentions,
        thread:
          message.threadRoot === undefined
            ? undefined
            : {
                followers: followers.get(message.threadRoot) ?? new Set<string>(),
                alsoInRoom: message.alsoInRoom === true,
              },
      };
      for (const member of pushRecipients(facts, members, prefs, now))
        if (!newest.has(member.id)) newest.set(member.id, message);
    }
    if (newest.size === 0) return;
    const looking = await this.inView([...newest.keys()]);
    const recipients = [...newest.keys()].filter((id) => !looking.has(id));
    if (recipients.length === 0) return;
    const authorIds = [...new Set(recipients.map((id) => newest.get(id)!.author))];
    const authors = new Map(
      (
        await this.db.query<{ id: string; username: string; display_name: string }>(
          "select id, username, display_name from users where id = any($1::text[])",
          [authorIds],
        )
      ).map((a) => [a.id, { username: a.username, displayName: a.display_name }]),
    );
    for (const subscription of await subscriptionsOf(this.db, recipients)) {
      const message = newest.get(subscription.userId)!;
      const author = authors.get(message.author) ?? { username: "someone", displayName: "" };
      const payload = pushPayload({
        room: { id: room.id, kind: room.kind, name: room.name },
        author,
        message,
      });
      this.sender.enqueue(
        subscription,
        JSON.stringify(payload),
        this.optionsFor(room.kind, message, subscription.userId, members),
      );
    }
  }

  /**
   * Who among the candidates follows each thread the batch's replies belong to. The user index, a
   * listener before this one (server.ts), has recorded the batch's replies and their followers (the
   * root's author, who replied, who was mentioned) before the sequencer calls this listener, so a
   * first reply's followers are there.
   */
  private async followersOf(
    roomId: string,
    messages: readonly MessageView[],
    members: readonly PushCandidate[],
  ): Promise<Map<string, Set<string>>> {
    const roots = [...new Set(messages.flatMap((m) => (m.threadRoot === undefined ? [] : [m.threadRoot])))];
    const followers = new Map<string, Set<string>>();
    if (roots.length === 0) return followers;
    const rows = await this.db.query<{ root_id: string; user_id: string }>(
      `select root_id, user_id from thread_follows
       where room_id = $1 and root_id = any($2::text[]) and user_id = any($3::text[])`,
      [roomId, roots, members.map((m) => m.id)],
    );
    for (const row of rows) {
      const set = followers.get(row.root_id);
      if (set) set.add(row.user_id);
      else followers.set(row.root_id, new Set([row.user_id]));
    }
    return followers;
  }

  private optionsFor(
    kind: string,
    message: MessageView,
    userId: string,
    members: readonly PushCandidate[],
  ): PushOptions {
    const username = members.find((m) => m.id === userId)?.username;
    const personal = kind === "dm" || kind === "group" || (!!username && message.mentions.includes(username));
    return { ttlSeconds: PUSH_TTL_SECONDS, urgency: personal ? "high" : "normal" };
  }
}
