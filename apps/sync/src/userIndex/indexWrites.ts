import {
  type FollowedThread,
  followedThreadKey,
  getIndexedRoom,
  type IndexedRoom,
  type MentionEntry,
  putFollowedThread,
  putIndexedRoom,
  putMention,
  userDocName,
} from "@chat/model";
import type { DocumentWriter } from "../docs/writer.ts";
import { backoffMs } from "../lib/backoff.ts";
import type { Logger } from "../log.ts";

/** Least time between two writes to one person's index document (see IndexWrites). */
export const INDEX_WRITE_SPACING_MS = 1_000;

/** What waits to be written to one person's index. */
interface Pending {
  /** The newest entry of each room, by room id: a later recount replaces an earlier one. */
  entries: Map<string, IndexedRoom>;
  /** The newest entry of each followed thread, by `${roomId}/${rootId}`. */
  threads: Map<string, FollowedThread>;
  mentions: MentionEntry[];
  /** Set while a write is due (its timer), or while the person's spacing runs out after one (idle). */
  timer: NodeJS.Timeout | null;
  /** The timer is only the spacing running out after a write: nothing is queued. */
  idle: boolean;
  /** The write running now, if any. */
  running: Promise<void> | null;
  /** When the last write started (performance.now()), for the spacing. */
  lastStarted: number;
  /** Writes that failed in a row, for the back-off. */
  failures: number;
  /** Something queued may not wait for the spacing (the person's own read). */
  urgent: boolean;
}

/**
 * The writes to people's index documents (`user:<id>`: a room's entry, a followed thread's, a mention), coalesced per
 * person. A recount of a room produces one entry for each of its members; a person in ten busy rooms
 * was written ten times a second, and every write was a Yjs update made, stored, applied and sent to
 * each of their devices. Here a person's writes start at most every INDEX_WRITE_SPACING_MS: the first
 * after a quiet moment at once (on the next turn of the event loop, so a recount's entries for one
 * person go together), what arrives meanwhile together at the end of the interval, each room's newest
 * entry only. Entries equal to what the document already holds write nothing.
 *
 * A write that fails (the database is down) is kept, unless a newer entry for the room replaced it,
 * and tried again after a back-off.
 */
/** How long entries for a room its member just left are refused (see dropRoom). */
const DROPPED_ROOM_MS = 5_000;

export class IndexWrites {
  private readonly writer: DocumentWriter;
  private readonly log: Logger;
  private readonly spacingMs: number;
  /** Per person with something queued, being written, or written within the last spacing. */
  private readonly people = new Map<string, Pending>();
  /** "<user> <room>" for rooms people just left, and when (dropRoom). */
  private readonly droppedRooms = new Map<string, number>();
  /** Resolvers of `settled()` calls, woken when nothing is queued or being written. */
  private readonly quiet: Array<() => void> = [];
  /** Writes made (index documents written to): a count of work for tests. */
  writes = 0;

  constructor(writer: DocumentWriter, log: Logger, options: { spacingMs?: number } = {}) {
    this.writer = writer;
    this.log = log;
    this.spacingMs = options.spacingMs ?? INDEX_WRITE_SPACING_MS;
  }

  /**
   * Queues a room's entry in a person's index (replacing one queued earlier for that room). `urgent`:
   * written without waiting for the spacing, for what the person did themselves (reading a room
   * clears its badge on their other devices at once); there are few of those, unlike other people's
   * messages.
   */
  putEntry(userId: string, entry: IndexedRoom, urgent = false): void {
    if (this.droppedRooms.has(`${userId} ${entry.roomId}`)) return;
    const state = this.of(userId);
    state.entries.set(entry.roomId, entry);
    if (urgent) state.urgent = true;
    this.schedule(userId);
  }

  /**
   * The person is no longer in the room (the projection takes it out of their index): an entry queued
   * for it is dropped, and for DROPPED_ROOM_MS so is any that comes, as a recount that read the rows
   * just before they changed would otherwise bring the room back.
   */
  dropRoom(userId: string, roomId: string): void {
    const key = `${userId} ${roomId}`;
    this.droppedRooms.set(key, performance.now());
    setTimeout(() => {
      const at = this.droppedRooms.get(key);
      if (at !== undefined && performance.now() - at >= DROPPED_ROOM_MS) this.droppedRooms.delete(key);
    }, DROPPED_ROOM_MS).unref();
    const state = this.people.get(userId);
    state?.entries.delete(roomId);
    if (state)
      for (const [key, thread] of state.threads) if (thread.roomId === roomId) state.threads.delete(key);
  }

  /** The person is in the room again (they came back before DROPPED_ROOM_MS ran out): its entries count. */
  keepRoom(userId: string, roomId: string): void {
    this.droppedRooms.delete(`${userId} ${roomId}`);
  }

  /** Queues a followed thread's entry in a person's index (replacing one queued earlier for it). */
  putThread(userId: string, entry: FollowedThread, urgent = false): void {
    if (this.droppedRooms.has(`${userId} ${entry.roomId}`)) return;
    const state = this.of(userId);
    state.threads.set(followedThreadKey(entry.roomId, entry.rootId), entry);
    if (urgent) state.urgent = true;
    this.schedule(userId);
  }

  /** Queues a mention in a person's mention list. */
  putMention(userId: string, mention: MentionEntry): void {
    this.of(userId).mentions.push(mention);
    this.schedule(userId);
  }

  /** Resolves once everything queued so far (and whatever was queued meanwhile) has been written. */
  settled(): Promise<void> {
    if (this.isQuiet()) return Promise.resolve();
    return new Promise((resolve) => this.quiet.push(resolve));
  }

  private isQuiet(): boolean {
    for (const state of this.people.values()) if (!state.idle || state.running) return false;
    return true;
  }

  private of(userId: string): Pending {
    let state = this.people.get(userId);
    if (!state) {
      state = {
        entries: new Map(),
        threads: new Map(),
        mentions: [],
        timer: null,
        idle: false,
        running: null,
        lastStarted: Number.NEGATIVE_INFINITY,
        failures: 0,
        urgent: false,
      };
      this.people.set(userId, state);
    }
    return state;
  }

  /** Makes sure a write of what `userId` has queued is due (or running, which schedules the next). */
  private schedule(userId: string): void {
    const state = this.of(userId);
    if (state.running) return;
    if (state.timer && !state.idle && !state.urgent) return;
    if (state.timer) clearTimeout(state.timer);
    state.idle = false;
    const spacing =
      state.failures > 0
        ? backoffMs(this.spacingMs * 2, state.failures, 30_000)
        : state.urgent
          ? 0
          : this.spacingMs;
    const wait = Math.max(0, state.lastStarted + spacing - performance.now());
    state.timer = setTimeout(() => {
      state.timer = null;
      state.running = this.write(userId, state).finally(() => {
        state.running = null;
        if (state.entries.size > 0 || state.threads.size > 0 || state.mentions.length > 0)
          this.schedule(userId);
        else this.rest(userId, state);
      });
    }, wait);
  }

  /** Nothing queued: the person is forgotten once their spacing has run out (it still counts till then). */
  private rest(userId: string, state: Pending): void {
    state.idle = true;
    state.timer = setTimeout(
      () => {
        if (this.people.get(userId) === state && state.idle) this.people.delete(userId);
      },
      Math.max(0, state.lastStarted + this.spacingMs - performance.now()),
    );
    state.timer.unref();
    if (this.isQuiet()) for (const wake of this.quiet.splice(0)) wake();
  }

  private async write(userId: string, state: Pending): Promise<void> {
    state.lastStarted = performance.now();
    const entries = [...state.entries.values()];
    const threads = state.threads;
    const mentions = state.mentions;
    state.entries = new Map();
    state.threads = new Map();
    state.mentions = [];
    state.urgent = false;
    try {
      await this.writer.apply(userDocName(userId), (doc) => {
        for (const entry of entries)
          if (!sameEntry(getIndexedRoom(doc, entry.roomId), entry)) putIndexedRoom(doc, entry);
        for (const thread of threads.values()) putFollowedThread(doc, thread);
        for (const mention of mentions) putMention(doc, mention);
      });
      this.writes++;
      state.failures = 0;
    } catch (error) {
      state.failures++;
      this.log.error(
        { user: userId, error: String(error), failures: state.failures },
        "cannot write a person's index; trying again shortly",
      );
      // Newer entries queued meanwhile win; the mentions are kept in the order they came.
      for (const entry of entries)
        if (!state.entries.has(entry.roomId)) state.entries.set(entry.roomId, entry);
      for (const [key, thread] of threads) if (!state.threads.has(key)) state.threads.set(key, thread);
      state.mentions = [...mentions, ...state.mentions];
    }
  }
}

function sameEntry(a: IndexedRoom | undefined, b: IndexedRoom): boolean {
  return (
    a !== undefined &&
    a.name === b.name &&
    a.kind === b.kind &&
    a.archived === b.archived &&
    a.lastActivity === b.lastActivity &&
    a.unread === b.unread &&
    a.mentions === b.mentions
  );
}
