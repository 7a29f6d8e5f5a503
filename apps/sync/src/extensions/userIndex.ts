import {
  type FollowedThread,
  findMessage,
  type IndexedRoom,
  listMessages,
  type MessageView,
  messageEdits,
  PREVIEW_LENGTH,
  parseDocName,
  parseThreadReadKey,
  ROOTS,
  readMarkerSupersedes,
  readPosition,
  threadReadPosition,
  viewsOf,
} from "@chat/model";
import type { connectedPayload, Extension, onChangePayload } from "@hocuspocus/server";
import * as Y from "yjs";
import { type ConnectionContext, isClientChange } from "../context.ts";
import type { Database } from "../db/database.ts";
import type { DocumentWriter } from "../docs/writer.ts";
import { SerialQueues } from "../lib/serialQueues.ts";
import type { Logger } from "../log.ts";
import type { IndexAudience } from "../userIndex/audience.ts";
import { IndexWrites } from "../userIndex/indexWrites.ts";
import {
  entriesForRoom,
  entriesForUser,
  recordEdit,
  recordRead,
  recordSequenced,
  recordSequencedWithEntries,
  type SequencedMessage,
} from "../userIndex/queries.ts";
import { withMentionsFromText } from "../userIndex/textMentions.ts";
import {
  recordReplies,
  recordRootEdit,
  recordThreadRead,
  threadEntries,
  threadEntriesForUser,
} from "../userIndex/threadQueries.ts";

/**
 * Least time between the starts of two recounts of one room (see UserIndex): a second, as each
 * person's index is written at most once a second anyway (IndexWrites), so recounting a busy room more
 * often only made entries that were replaced before anyone saw them.
 */
export const RECOUNT_SPACING_MS = 1_000;

/**
 * How much before the room's spacing runs out a numbering may still bring its recount along (see
 * messagesSequenced): at one message a room a second, the messages' own jitter put a third of them
 * (with 100 ms: measured, company benchmark) just inside the spacing, and each of those then cost a
 * recount statement of its own a moment later. A recount brought along costs the numbering's statement
 * a little more, not a statement, so a busy room's two a second are cheaper than one on its own.
 */
export const RECOUNT_EARLY_MS = 500;

/**
 * Keeps every member's `user:<id>` entry for a room current (last activity, unread, mentions) and
 * their mention list, as soon as something changes the numbers: a message sequenced (the sequencer
 * calls `messagesSequenced`), a read position moved, a message edited or deleted.
 *
 * Like the sequencer, an instance acts only on what its own clients sent (origin "connection"); the
 * user documents it writes through direct connections reach clients on other instances through
 * Redis. Counts come from Postgres (userIndex/queries.ts), so any instance can count for any member.
 * Recounts of one room run one at a time and coalesce, and start at most every `RECOUNT_SPACING_MS`:
 * the first after a quiet moment at once, those asked for meanwhile together at the end of the
 * interval. So a busy room costs one recount a second, not one per message: each is a query and a
 * write to every member's index (a room of 50 people and a message every 50 ms meant 1,000 index
 * writes a second). The entries a recount produces are written per person (IndexWrites), so a person
 * in many busy rooms has their index written a few times a second, not once per room per recount.
 */
export class UserIndex implements Extension {
  // After the sequencer (50): onChange sees read positions and edits once they are applied.
  priority = 40;
  extensionName = "user-index";

  private readonly db: Database;
  /** The writes to people's index documents, coalesced per person. */
  readonly writes: IndexWrites;
  /** Who has their index open: recounts are written to those only. */
  private readonly audience: IndexAudience | null;
  private readonly log: Logger;
  /** Per room: recounts, one at a time. */
  private readonly recounts = new SerialQueues<string>();
  /** Per room: members waiting for a recount that has not started (null: all of them). */
  private readonly waiting = new Map<string, Set<string> | null>();
  /** Per room: threads whose followers wait for that recount (threadQueries.ts). */
  private readonly waitingThreads = new Map<string, Set<string>>();
  /** Rooms whose recount is running (or queued to start at once, by recountWith). */
  private readonly recounting = new Set<string>();
  /** Per room: when its last recount started (performance.now()). */
  private readonly lastStarted = new Map<string, number>();

  constructor(
    db: Database,
    writer: DocumentWriter,
    log: Logger,
    options: {
      writeSpacingMs?: number;
      /** Without one, every member's index is written (tests of the counting alone). */
      audience?: IndexAudience;
    } = {},
  ) {
    this.db = db;
    this.writes = new IndexWrites(writer, log, { spacingMs: options.writeSpacingMs });
    this.audience = options.audience ?? null;
    this.log = log;
  }

  /** A device opened an index a recount passed over while nobody watched it: bring it in line. */
  async connected({ documentName, connection }: connectedPayload): Promise<void> {
    const ref = parseDocName(documentName);
    if (ref?.kind !== "user" || !this.audience?.catchUpOnConnect(connection.document)) return;
    try {
      for (const entry of await entriesForUser(this.db, ref.userId))
        this.writes.putEntry(ref.userId, entry, true);
      for (const thread of await threadEntriesForUser(this.db, ref.userId))
        this.writes.putThread(ref.userId, thread, true);
    } catch (error) {
      this.log.error({ doc: documentName, error: String(error) }, "cannot bring an index in line");
    }
  }

  async onChange({
    documentName,
    document,
    transactionOrigin,
    update,
    context,
  }: onChangePayload): Promise<void> {
    if (!isClientChange(transactionOrigin)) return;
    const ref = parseDocName(documentName);
    const user = (context as Partial<ConnectionContext> | undefined)?.user;
    if (!ref || !user) return;
    try {
      if (ref.kind === "room") {
        // What a client writes in a room document is its own read markers (rules.ts): in the room,
        // and in threads. The room's may move back ("Mark unread"), recorded as it is; but a marker
        // written concurrently by a stale device, which Yjs may keep over a further one, never
        // un-reads (model unread.ts).
        const { room, threads } = changedReads(document, update, user.id);
        if (
          room &&
          (await recordRead(this.db, ref.roomId, user.id, readPosition(document, user.id), {
            backwards: readMarkerSupersedes(document, user.id),
          }))
        )
          // The reader's own action: counted and written at once, not after the room's or their spacing.
          for (const { userId, ...entry } of await entriesForRoom(this.db, ref.roomId, [user.id]))
            this.writes.putEntry(userId, entry, true);
        const moved: string[] = [];
        for (const rootId of threads)
          if (
            await recordThreadRead(
              this.db,
              ref.roomId,
              rootId,
              user.id,
              threadReadPosition(document, user.id, rootId),
            )
          )
            moved.push(rootId);
        for (const { userId, ...entry } of await threadEntries(this.db, ref.roomId, moved, [user.id]))
          this.writes.putThread(userId, entry, true);
      } else if (ref.kind === "segment") {
        const edited = editedIds(document, update);
        if (edited.size === 0) return;
        const changed = listMessages(document).filter((message) => edited.has(message.id));
        for (const message of withMentionsFromText(changed)) {
          await recordEdit(this.db, ref.roomId, message.id, {
            mentions: message.mentions,
            deleted: message.deleted,
          });
          // The message may be a thread's root: the thread's preview follows its text.
          await recordRootEdit(this.db, ref.roomId, message.id, message.text.slice(0, PREVIEW_LENGTH));
        }
        const threads = new Set<string>();
        for (const message of changed) threads.add(message.threadRoot ?? message.id);
        await this.recount(ref.roomId, null, [...threads]);
      }
    } catch (error) {
      this.log.error({ doc: documentName, error: String(error) }, "cannot update the user index");
    }
  }

  /**
   * Called by the sequencer once messages have their numbers: record them (replies with their threads
   * and followers), then note mentions and recount. `segment` is the document they were numbered in,
   * where a reply's root usually is too (for the thread's preview).
   */
  async messagesSequenced(roomId: string, messages: readonly MessageView[], segment?: Y.Doc): Promise<void> {
    const sequenced = withMentionsFromText(messages.filter((m) => m.seq !== null && m.event === undefined));
    if (sequenced.length === 0) return;
    const rows: SequencedMessage[] = sequenced.map((m) => ({
      messageId: m.id,
      seq: m.seq!,
      author: m.author,
      mentions: m.mentions,
      threadRoot: m.threadRoot,
      inRoom: m.threadRoot === undefined || m.alsoInRoom === true,
    }));
    // The room's recount is due (or nearly): the statement that records the messages answers with every
    // member's entry, instead of a recount statement after it. Replies need their threads recounted
    // as well, which the usual recount does.
    if (rows.every((row) => row.inRoom && row.threadRoot === undefined) && this.recountDue(roomId)) {
      await this.recountWith(roomId, () => recordSequencedWithEntries(this.db, roomId, rows));
      this.noteMentionsLater(roomId, sequenced);
      return;
    }
    await recordSequenced(this.db, roomId, rows);
    const replies = sequenced.filter((m) => m.threadRoot !== undefined);
    const threads = [...new Set(replies.map((m) => m.threadRoot!))];
    if (replies.length > 0)
      await recordReplies(
        this.db,
        roomId,
        replies.map((m) => ({ rootId: m.threadRoot!, author: m.author, mentions: m.mentions })),
        segment ? rootsIn(segment, threads) : new Map(),
      );
    // The rows are in; the recount and mention list need not hold up the next message's number.
    this.noteMentionsLater(roomId, sequenced);
    void this.recount(roomId, null, threads);
  }

  private noteMentionsLater(roomId: string, sequenced: readonly MessageView[]): void {
    const mentioned = sequenced.filter((m) => m.mentions.length > 0);
    if (mentioned.length > 0)
      void this.noteMentions(roomId, mentioned).catch((error) =>
        this.log.error({ room: roomId, error: String(error) }, "cannot note mentions"),
      );
  }

  /** No recount of the room is waiting or running, and the next may start within RECOUNT_EARLY_MS. */
  private recountDue(roomId: string): boolean {
    if (this.waiting.has(roomId) || this.recounting.has(roomId)) return false;
    const last = this.lastStarted.get(roomId);
    return last === undefined || performance.now() >= last + RECOUNT_SPACING_MS - RECOUNT_EARLY_MS;
  }

  /**
   * Runs `count` as the room's recount (in its queue, as a start for the spacing) and writes the
   * entries it answers with. A failure is the caller's: the messages are not recorded.
   */
  private recountWith(
    roomId: string,
    count: () => Promise<Array<IndexedRoom & { userId: string }>>,
  ): Promise<void> {
    this.recounting.add(roomId);
    return this.recounts.run(roomId, async () => {
      try {
        this.lastStarted.set(roomId, performance.now());
        await this.put(await count(), []);
      } finally {
        this.recounting.delete(roomId);
      }
    });
  }

  /** Resolves once every recount asked for so far has been written. */
  async settled(roomId: string): Promise<void> {
    await this.recounts.idle(roomId);
    await this.writes.settled();
  }

  /**
   * Recounts the room's entry for `userIds` (every member when null), and the entries of `threads` for
   * their followers, and writes what changed.
   */
  recount(roomId: string, userIds: readonly string[] | null, threads: readonly string[] = []): Promise<void> {
    if (threads.length > 0) {
      const waiting = this.waitingThreads.get(roomId);
      if (waiting) for (const rootId of threads) waiting.add(rootId);
      else this.waitingThreads.set(roomId, new Set(threads));
    }
    if (this.waiting.has(roomId)) {
      // A recount that has not started yet will read the latest state: widen it instead of adding one.
      const pending = this.waiting.get(roomId);
      if (pending && userIds) for (const id of userIds) pending.add(id);
      else this.waiting.set(roomId, null);
      return this.recounts.idle(roomId);
    }
    this.waiting.set(roomId, userIds ? new Set(userIds) : null);
    return this.recounts.run(roomId, async () => {
      try {
        await this.spaced(roomId);
        const who = this.waiting.get(roomId);
        const threads = this.waitingThreads.get(roomId);
        this.waiting.delete(roomId);
        this.waitingThreads.delete(roomId);
        this.lastStarted.set(roomId, performance.now());
        this.recounting.add(roomId);
        await this.write(roomId, who ? [...who] : null, threads ? [...threads] : []);
      } catch (error) {
        this.log.error({ room: roomId, error: String(error) }, "cannot recount unread messages");
      } finally {
        this.recounting.delete(roomId);
      }
    });
  }

  /** Resolves once the room's next recount may start (RECOUNT_SPACING_MS after its last one started). */
  private spaced(roomId: string): Promise<void> | undefined {
    const last = this.lastStarted.get(roomId);
    const wait = last === undefined ? 0 : last + RECOUNT_SPACING_MS - performance.now();
    if (wait > 0) return new Promise((resolve) => setTimeout(resolve, wait));
  }

  private async write(
    roomId: string,
    userIds: readonly string[] | null,
    threads: readonly string[],
  ): Promise<void> {
    await this.put(
      await entriesForRoom(this.db, roomId, userIds),
      await threadEntries(this.db, roomId, threads),
    );
  }

  /** Queues the entries for those of their people who have their index open. */
  private async put(
    entries: ReadonlyArray<IndexedRoom & { userId: string }>,
    followed: ReadonlyArray<FollowedThread & { userId: string }>,
  ): Promise<void> {
    const people = new Set([...entries.map((e) => e.userId), ...followed.map((t) => t.userId)]);
    const watching = this.audience ? await this.audience.watching([...people]) : null;
    for (const { userId, ...entry } of entries)
      if (!watching || watching.has(userId)) this.writes.putEntry(userId, entry);
    for (const { userId, ...entry } of followed)
      if (!watching || watching.has(userId)) this.writes.putThread(userId, entry);
  }

  private async noteMentions(roomId: string, messages: readonly MessageView[]): Promise<void> {
    const members = await this.db.query<{ id: string; username: string }>(
      "select u.id, u.username from room_members m join users u on u.id = m.user_id where m.room_id = $1",
      [roomId],
    );
    const byUsername = new Map(members.map((m) => [m.username, m.id]));
    const now = Date.now();
    for (const message of messages)
      for (const username of message.mentions) {
        const id = byUsername.get(username);
        if (!id || id === message.author) continue;
        this.writes.putMention(id, {
          roomId,
          messageId: message.id,
          seq: message.seq!,
          author: message.author,
          at: now,
          preview: message.text.slice(0, PREVIEW_LENGTH),
          ...(message.threadRoot !== undefined && { threadRoot: message.threadRoot }),
        });
      }
  }
}

/**
 * Ids of the messages an applied update edits or deletes. The update may omit an item's parent (Yjs
 * infers it from the neighbour), so each item is looked up in the document it was applied to.
 */
function editedIds(document: Y.Doc, update: Uint8Array): Set<string> {
  const ids = new Set<string>();
  const edits = messageEdits(document);
  for (const struct of Y.decodeUpdate(update).structs) {
    if (!(struct instanceof Y.Item)) continue;
    const item = Y.getItem(document.store, struct.id);
    if (item instanceof Y.Item && item.parent === edits && item.parentSub !== null) ids.add(item.parentSub);
  }
  return ids;
}

/**
 * Which of the reader's markers an applied update moved in a room document: their room read marker,
 * and the roots of the threads whose marker moved (only their own keys pass the write rules).
 */
function changedReads(
  document: Y.Doc,
  update: Uint8Array,
  userId: string,
): { room: boolean; threads: string[] } {
  const reads = document.getMap(ROOTS.room.reads);
  const threadReads = document.getMap(ROOTS.room.threadReads);
  let room = false;
  const threads = new Set<string>();
  for (const struct of Y.decodeUpdate(update).structs) {
    if (!(struct instanceof Y.Item)) continue;
    const item = Y.getItem(document.store, struct.id);
    if (!(item instanceof Y.Item) || item.parentSub === null) continue;
    if (item.parent === reads) room = true;
    else if (item.parent === threadReads) {
      const key = parseThreadReadKey(item.parentSub);
      if (key?.userId === userId) threads.add(key.rootId);
    }
  }
  return { room, threads: [...threads] };
}

/** The roots among `rootIds` that the segment holds: their author and the start of their text. */
function rootsIn(
  segment: Y.Doc,
  rootIds: readonly string[],
): Map<string, { author: string; preview: string }> {
  const roots = new Map<string, { author: string; preview: string }>();
  for (const rootId of rootIds) {
    const record = findMessage(segment, rootId);
    if (!record) continue;
    const [view] = viewsOf(segment, [record]);
    roots.set(rootId, { author: record.author, preview: view!.text.slice(0, PREVIEW_LENGTH) });
  }
  return roots;
}
