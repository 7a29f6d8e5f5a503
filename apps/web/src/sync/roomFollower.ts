import { listIndexedRooms, observeIndex, observeRoom, roomDocName } from "@chat/model";
import type { DocHandle, DocRegistry } from "./docs";

/**
 * Follows every room in the person's index `user:<id>` (public rooms they joined, private rooms,
 * direct conversations, archived ones too) and each room's list of history segments. Background sync
 * (deviceSync.ts) and search (search/feeder.ts) both need exactly that walk; they share one follower,
 * so each room document is opened and observed once for both.
 *
 * Room documents are held only while someone watches: the follower opens nothing before the first
 * watcher (each starts when it can afford to: after the first screen), and gives every room back when
 * the last one leaves. A watcher opens the segments it needs itself, through the same registry.
 */
export interface RoomWatcher {
  /**
   * The room is followed now, or its segment list changed (read it with `listSegments(room.doc)`).
   * `room` stays held by the follower until `left`.
   */
  changed(roomId: string, room: DocHandle): void;
  /** The room left the person's index: let go of what was opened for it. */
  left(roomId: string): void;
}

export interface RoomFollower {
  /** Tells `watcher` about every followed room (at once for those already followed); returns the stop. */
  watch(watcher: RoomWatcher): () => void;
  /** Gives every room back (the session ends). */
  stop(): void;
}

interface FollowedRoom {
  handle: DocHandle;
  stopObserving: () => void;
}

export function followRooms(registry: DocRegistry, userIndex: DocHandle): RoomFollower {
  const watchers = new Set<RoomWatcher>();
  const rooms = new Map<string, FollowedRoom>();
  let stopObservingIndex = () => {};
  let stopped = false;

  function follow(roomId: string): void {
    const handle = registry.open(roomDocName(roomId));
    const changed = () => {
      for (const watcher of watchers) watcher.changed(roomId, handle);
    };
    rooms.set(roomId, { handle, stopObserving: observeRoom(handle.doc, changed) });
    changed();
  }

  function unfollow(roomId: string, room: FollowedRoom): void {
    for (const watcher of watchers) watcher.left(roomId);
    room.stopObserving();
    room.handle.release();
    rooms.delete(roomId);
  }

  function readIndex(): void {
    const wanted = new Set(listIndexedRooms(userIndex.doc).map((room) => room.roomId));
    for (const roomId of wanted) if (!rooms.has(roomId)) follow(roomId);
    for (const [roomId, room] of rooms) if (!wanted.has(roomId)) unfollow(roomId, room);
  }

  function releaseAll(): void {
    stopObservingIndex();
    stopObservingIndex = () => {};
    for (const room of rooms.values()) {
      room.stopObserving();
      room.handle.release();
    }
    rooms.clear();
  }

  return {
    watch(watcher) {
      if (stopped) return () => {};
      watchers.add(watcher);
      if (watchers.size === 1) {
        stopObservingIndex = observeIndex(userIndex.doc, readIndex);
        readIndex();
      } else {
        for (const [roomId, room] of rooms) watcher.changed(roomId, room.handle);
      }
      return () => {
        if (!watchers.delete(watcher) || watchers.size > 0) return;
        releaseAll();
      };
    },
    stop() {
      stopped = true;
      watchers.clear();
      releaseAll();
    },
  };
}
