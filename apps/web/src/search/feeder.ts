import {
  listIndexedRooms,
  listMessages,
  listSegments,
  observeIndex,
  observeMessages,
  segmentDocName,
} from "@chat/model";
import type { DocHandle, DocRegistry } from "../sync/docs";
import type { RoomFollower } from "../sync/roomFollower";
import type { FedMessage } from "./protocol";

/**
 * Feeds the search index every message the person may read: every history segment of every room the
 * follower follows (every room in their index `user:<id>`, archived ones too, see sync/roomFollower.ts).
 * Segments are held through the registry for as long as search runs — the same handles the room view
 * and the offline store use, so holding them costs nothing extra — and observed: a new, edited or
 * deleted message is re-fed a moment after it changes. The server only lets members open a room, so
 * the index can hold nothing the device may not read.
 */

export interface SearchSink {
  /** The messages of one history segment (`segment`: its number), which the index keeps as one shard. */
  messages(roomId: string, segment: number, messages: FedMessage[]): void;
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

export interface SearchFeeder {
  /** With `trusted` (the person's index has synced with the server), rooms no longer in the index leave the search index. */
  refresh(trusted: boolean): void;
  stop(): void;
}

export function feedSearch(
  registry: DocRegistry,
  follower: RoomFollower,
  userIndex: DocHandle,
  sink: SearchSink,
): SearchFeeder {
  /** The segments fed, by room. */
  const rooms = new Map<string, Map<number, SegmentFeed>>();
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
      if (messages.length > 0) sink.messages(roomId, n, messages);
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

  function closeRoom(segments: Map<number, SegmentFeed>): void {
    for (const segment of segments.values()) closeSegment(segment);
  }

  function refresh(trusted: boolean): void {
    // Before the index has synced, an empty or stale list must not empty the search index.
    if (stopped || !trusted) return;
    const wanted = new Set(listIndexedRooms(userIndex.doc).map((room) => room.roomId));
    const kept = [...wanted].sort().join(" ");
    if (kept !== lastKept) {
      lastKept = kept;
      sink.keepRooms([...wanted]);
    }
  }

  // The follower first: on a change of the index, a new room's messages are fed before the list is kept.
  const stopWatching = follower.watch({
    changed(roomId, room) {
      if (stopped) return;
      let segments = rooms.get(roomId);
      if (!segments) {
        segments = new Map();
        rooms.set(roomId, segments);
      }
      for (const n of listSegments(room.doc)) if (!segments.has(n)) segments.set(n, openSegment(roomId, n));
    },
    left(roomId) {
      const segments = rooms.get(roomId);
      if (!segments) return;
      closeRoom(segments);
      rooms.delete(roomId);
    },
  });
  const stopObservingIndex = observeIndex(userIndex.doc, () => refresh(userIndex.synced()));
  refresh(userIndex.synced());

  return {
    refresh,
    stop() {
      stopped = true;
      stopObservingIndex();
      for (const segments of rooms.values()) closeRoom(segments);
      rooms.clear();
      stopWatching();
    },
  };
}
