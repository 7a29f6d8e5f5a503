import { listSegments, segmentDocName } from "@chat/model";
import type { DocHandle, DocRegistry } from "./docs";
import type { RoomFollower } from "./roomFollower";

/**
 * Keeps every room the person belongs to on the device and in step with the server, over the one
 * socket, through the shared document registry (so a room the screen also opens is one document).
 * Which rooms, and their segments, come from the room follower (roomFollower.ts), shared with search.
 *
 * - Each room document `room:<id>` and its newest history segment stay open for the whole session:
 *   new messages land in IndexedDB as they arrive, and messages written offline go out by themselves
 *   when the socket reconnects.
 * - Older segments are fetched once per session, newest first, one at a time: each is opened until the
 *   server and the device have exchanged it (or, offline, until the device copy is read, so a message
 *   written offline into a segment that was sealed meanwhile is still sent later), then given back.
 *
 * It starts after a short pause so the first screen renders from the device before anything else loads.
 */
export interface DeviceSync {
  stop(): void;
}

const START_DELAY_MS = 1_500;
/** How long an older segment may take to sync before the next one is tried (it is retried next session). */
const OLDER_SEGMENT_TIMEOUT_MS = 30_000;

interface HeldRoom {
  /** Held by the follower. */
  room: DocHandle;
  newest: DocHandle | null;
  /** Undoes `onNewestSegment` for the held newest segment. */
  stopNewest: () => void;
}

export function createDeviceSync(
  registry: DocRegistry,
  follower: RoomFollower,
  /** Called with each room's newest segment while it is held; the function it returns runs on release. */
  onNewestSegment?: (roomId: string, segment: DocHandle, isOnlySegment: () => boolean) => () => void,
): DeviceSync {
  const held = new Map<string, HeldRoom>();
  const fetchedOlder = new Set<string>();
  const olderQueue: string[] = [];
  let stopped = false;
  let draining = false;
  let stopWatching = () => {};

  const startTimer = setTimeout(() => {
    stopWatching = follower.watch({ changed: follow, left: letGo });
  }, START_DELAY_MS);
  const online = () => {
    for (const [roomId, entry] of held) follow(roomId, entry.room);
  };
  window.addEventListener("online", online);

  /** Reads the room's segment list: opens a new newest segment, queues older ones not yet fetched. */
  function follow(roomId: string, room: DocHandle): void {
    if (stopped) return;
    let entry = held.get(roomId);
    if (!entry) {
      entry = { room, newest: null, stopNewest: () => {} };
      held.set(roomId, entry);
    }
    const segments = listSegments(room.doc);
    const newest = segments[segments.length - 1];
    if (newest === undefined) return;
    const name = segmentDocName(roomId, newest);
    if (entry.newest?.name !== name) {
      const previous = entry.newest;
      entry.stopNewest();
      entry.newest = registry.open(name);
      entry.stopNewest =
        onNewestSegment?.(roomId, entry.newest, () => listSegments(room.doc).length === 1) ?? (() => {});
      previous?.release();
    }
    for (const n of segments.slice(0, -1).reverse()) {
      const older = segmentDocName(roomId, n);
      if (!fetchedOlder.has(older) && !olderQueue.includes(older)) olderQueue.push(older);
    }
    void drain();
  }

  function letGo(roomId: string): void {
    const entry = held.get(roomId);
    if (!entry) return;
    entry.stopNewest();
    entry.newest?.release();
    held.delete(roomId);
  }

  async function drain(): Promise<void> {
    if (draining) return;
    draining = true;
    try {
      while (!stopped && olderQueue.length > 0) {
        const name = olderQueue.shift()!;
        fetchedOlder.add(name);
        const handle = registry.open(name);
        await until(
          () => handle.synced() || handle.refusal() !== null,
          handle.loaded,
          OLDER_SEGMENT_TIMEOUT_MS,
        );
        // Not exchanged with the server yet (offline): fetched again when the network returns.
        if (!handle.synced() && handle.refusal() === null) fetchedOlder.delete(name);
        handle.release();
      }
    } finally {
      draining = false;
    }
  }

  return {
    stop() {
      stopped = true;
      clearTimeout(startTimer);
      window.removeEventListener("online", online);
      for (const roomId of [...held.keys()]) letGo(roomId);
      stopWatching();
    },
  };
}

/**
 * Resolves when `done()` holds, or after `timeoutMs`; offline (`navigator.onLine` false) it resolves
 * as soon as the device copy is loaded, since nothing more can happen until the network returns.
 */
function until(done: () => boolean, loaded: () => boolean, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const deadline = Date.now() + timeoutMs;
    const check = () => {
      if (done() || (!navigator.onLine && loaded()) || Date.now() > deadline) resolve();
      else setTimeout(check, 100);
    };
    check();
  });
}
