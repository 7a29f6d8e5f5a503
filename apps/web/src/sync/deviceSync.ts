import { listSegments, observeRoom, roomDocName, segmentDocName } from "@chat/model";
import type { DocHandle, DocRegistry } from "./docs";

/**
 * Keeps every room the person belongs to on the device and in step with the server, over the one
 * socket, through the shared document registry (so a room the screen also opens is one document).
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
  /** The rooms to keep (from the person's index). Call again whenever the index changes. */
  setRooms(roomIds: readonly string[]): void;
  stop(): void;
}

const START_DELAY_MS = 1_500;
/** How long an older segment may take to sync before the next one is tried (it is retried next session). */
const OLDER_SEGMENT_TIMEOUT_MS = 30_000;

interface HeldRoom {
  room: DocHandle;
  newest: DocHandle | null;
  /** Undoes `onNewestSegment` for the held newest segment. */
  stopNewest: () => void;
  stopObserving: () => void;
  /** Re-reads the room's segment list: opens a new newest segment, queues older ones not yet fetched. */
  follow: () => void;
}

export function createDeviceSync(
  registry: DocRegistry,
  /** Called with each room's newest segment while it is held; the function it returns runs on release. */
  onNewestSegment?: (roomId: string, segment: DocHandle, isOnlySegment: () => boolean) => () => void,
): DeviceSync {
  const held = new Map<string, HeldRoom>();
  const fetchedOlder = new Set<string>();
  const olderQueue: string[] = [];
  let wanted: readonly string[] = [];
  let started = false;
  let stopped = false;
  let draining = false;

  const startTimer = setTimeout(() => {
    started = true;
    apply();
  }, START_DELAY_MS);
  const online = () => {
    for (const entry of held.values()) entry.follow();
  };
  window.addEventListener("online", online);

  function apply(): void {
    if (!started || stopped) return;
    const keep = new Set(wanted);
    for (const [roomId, entry] of held)
      if (!keep.has(roomId)) {
        entry.stopObserving();
        entry.stopNewest();
        entry.newest?.release();
        entry.room.release();
        held.delete(roomId);
      }
    for (const roomId of keep) if (!held.has(roomId)) hold(roomId);
  }

  function hold(roomId: string): void {
    const room = registry.open(roomDocName(roomId));
    const entry: HeldRoom = {
      room,
      newest: null,
      stopNewest: () => {},
      stopObserving: () => {},
      follow: () => {},
    };
    const follow = () => {
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
    };
    entry.follow = follow;
    entry.stopObserving = observeRoom(room.doc, follow);
    held.set(roomId, entry);
    follow();
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
    setRooms(roomIds) {
      wanted = [...roomIds];
      apply();
    },
    stop() {
      stopped = true;
      clearTimeout(startTimer);
      window.removeEventListener("online", online);
      for (const entry of held.values()) {
        entry.stopObserving();
        entry.stopNewest();
        entry.newest?.release();
        entry.room.release();
      }
      held.clear();
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
