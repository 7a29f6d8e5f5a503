import {
  listIndexedRooms,
  listMessages,
  listSegments,
  observeIndex,
  observeMessages,
  observeRoom,
  roomDocName,
  segmentDocName,
} from "@chat/model";
import type { DocHandle, DocRegistry } from "../sync/docs";
import type { FedMessage } from "./protocol";

/**
 * Feeds the search index every message the person may read: every room in their index `user:<id>`
 * (public rooms they joined, private rooms, direct conversations, archived ones too), every history
 * segment of each. Documents are held through the registry for as long as search runs — the same
 * handles the room view and the offline store use, so holding them costs nothing extra — and
 * observed: a new, edited or deleted message is re-fed a moment after it changes. The server only
 * lets members open a room, so the index can hold nothing the device may not read.
 */

export interface SearchSink {
  messages(roomId: string, messages: FedMessage[]): void;
  keepRooms(roomIds: string[]): void;
}

/** A burst of changes (a sync, someone typing fast) is fed once. */
const FEED_DEBOUNCE_MS = 300;

interface SegmentFeed {
  handle: DocHandle;
  /** Ids fed last time: one that is no longer listed is fed as deleted. */
  fed: Set<string>;
  stopObserving: () => void;
  timer: ReturnType<typeof setTimeout> | null;
}

interface RoomFeed {
  handle: DocHandle;
  stopObserving: () => void;
  segments: Map<number, SegmentFeed>;
}

export interface SearchFeeder {
  /** Re-reads the room list; with `trusted` (the person's index has synced with the server) rooms no longer listed leave the search index. */
  refresh(trusted: boolean): void;
  stop(): void;
}

export function feedSearch(registry: DocRegistry, userIndex: DocHandle, sink: SearchSink): SearchFeeder {
  const rooms = new Map<string, RoomFeed>();
  let lastKept: string | null = null;
  let stopped = false;

  function openSegment(roomId: string, n: number): SegmentFeed {
    const handle = registry.open(segmentDocName(roomId, n));
    const feed: SegmentFeed = { handle, fed: new Set(), stopObserving: () => {}, timer: null };
    const send = () => {
      feed.timer = null;
      if (stopped) return;
      const messages: FedMessage[] = listMessages(handle.doc);
      const listed = new Set(messages.map((message) => message.id));
      for (const id of feed.fed) if (!listed.has(id)) messages.push({ id, deleted: true });
      feed.fed = listed;
      if (messages.length > 0) sink.messages(roomId, messages);
    };
    feed.stopObserving = observeMessages(handle.doc, () => {
      feed.timer ??= setTimeout(send, FEED_DEBOUNCE_MS);
    });
    // What the document already holds (open elsewhere, or loaded from the device) goes in at once.
    send();
    return feed;
  }

  function closeSegment(feed: SegmentFeed): void {
    if (feed.timer) clearTimeout(feed.timer);
    feed.stopObserving();
    feed.handle.release();
  }

  function openRoom(roomId: string): RoomFeed {
    const handle = registry.open(roomDocName(roomId));
    const feed: RoomFeed = { handle, stopObserving: () => {}, segments: new Map() };
    const syncSegments = () => {
      for (const n of listSegments(handle.doc))
        if (!feed.segments.has(n)) feed.segments.set(n, openSegment(roomId, n));
    };
    feed.stopObserving = observeRoom(handle.doc, syncSegments);
    syncSegments();
    return feed;
  }

  function closeRoom(feed: RoomFeed): void {
    feed.stopObserving();
    for (const segment of feed.segments.values()) closeSegment(segment);
    feed.handle.release();
  }

  function refresh(trusted: boolean): void {
    if (stopped) return;
    const wanted = new Set(listIndexedRooms(userIndex.doc).map((room) => room.roomId));
    for (const roomId of wanted) if (!rooms.has(roomId)) rooms.set(roomId, openRoom(roomId));
    for (const [roomId, feed] of rooms)
      if (!wanted.has(roomId)) {
        closeRoom(feed);
        rooms.delete(roomId);
      }
    // Before the index has synced, an empty or stale list must not empty the search index.
    if (!trusted) return;
    const kept = [...wanted].sort().join(" ");
    if (kept !== lastKept) {
      lastKept = kept;
      sink.keepRooms([...wanted]);
    }
  }

  const stopObservingIndex = observeIndex(userIndex.doc, () => refresh(userIndex.synced()));
  refresh(userIndex.synced());

  return {
    refresh,
    stop() {
      stopped = true;
      stopObservingIndex();
      for (const feed of rooms.values()) closeRoom(feed);
      rooms.clear();
    },
  };
}
