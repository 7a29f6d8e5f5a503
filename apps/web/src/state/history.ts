import {
  compareForDisplay,
  listMessages,
  listSegments,
  type MessageView,
  messageCount,
  observeMessages,
  observeRoom,
  segmentDocName,
} from "@chat/model";
import { type Accessor, createEffect, createMemo, createSignal, onCleanup } from "solid-js";
import type * as Y from "yjs";
import { readTail, TAIL_SIZE, writeTail } from "../device/roomTail";
import type { DocHandle, DocRegistry } from "../sync/docs";
import { observedIn, useDocument } from "./signals";

/**
 * A room's history across its segments (docs/architecture.md, "Who writes which document"): the newest segment opens with
 * the room; older ones open, newest first, when the person scrolls back (`loadOlder`), and stay open
 * while the room is shown. Messages of every open segment come out as one list in display order —
 * sequence numbers run across segments, so a late message in an older segment still sorts right.
 */
export interface RoomHistory {
  /** Where new messages go (null until the room document says which segment is newest). */
  newest: Accessor<DocHandle | null>;
  messages: Accessor<MessageView[]>;
  /** Segments older than those open. */
  hasOlder: Accessor<boolean>;
  /** Opens the next older segment (does nothing while one is loading or none is left). */
  loadOlder(): void;
  loadingOlder: Accessor<boolean>;
  /** The open segment document that holds a message (its edits and deletion are written there). */
  docFor(messageId: string): Y.Doc | null;
}

export function useRoomHistory(
  registry: DocRegistry,
  scope: string,
  roomId: Accessor<string>,
  room: Accessor<DocHandle | null>,
): RoomHistory {
  const segments = observedIn(room, observeRoom, listSegments, []);
  const newestNumber = createMemo(() => {
    const all = segments();
    return all.length === 0 || room()?.refusal() ? null : all[all.length - 1]!;
  });
  const newest = useDocument(registry, () => {
    const n = newestNumber();
    return n === null ? null : segmentDocName(roomId(), n);
  });
  const newestMessages = observedIn(newest, observeMessages, listMessages, []);

  // Older segments opened by scrolling back, newest first; released when the room closes.
  const [older, setOlder] = createSignal<DocHandle[]>([]);
  const [olderVersion, setOlderVersion] = createSignal(0);
  const stops: Array<() => void> = [];
  let disposed = false;
  onCleanup(() => {
    disposed = true;
    for (const stop of stops) stop();
    for (const handle of older()) handle.release();
  });

  const olderNumbers = createMemo(() => {
    const n = newestNumber();
    return n === null ? [] : segments().filter((s) => s < n);
  });
  const hasOlder = () => olderNumbers().length > older().length;
  const [loadingOlder, setLoadingOlder] = createSignal(false);

  const loadOlder = () => {
    if (loadingOlder() || !hasOlder()) return;
    const candidates = olderNumbers();
    const next = candidates[candidates.length - 1 - older().length]!;
    const handle = registry.open(segmentDocName(roomId(), next));
    stops.push(observeMessages(handle.doc, () => setOlderVersion((v) => v + 1)));
    setLoadingOlder(true);
    // The device copy is enough to show; the server fills in what the device lacks as it arrives.
    void handle.whenLoaded.then(() => {
      if (disposed) return handle.release();
      setOlder((list) => [...list, handle]);
      setLoadingOlder(false);
    });
  };

  const olderLists = createMemo(() => {
    olderVersion();
    return older().map((handle) => ({ doc: handle.doc, messages: listMessages(handle.doc) }));
  });
  const olderMessages = createMemo(() => olderLists().flatMap((list) => list.messages));

  // Which open segment holds each message: asked for every message rendered (may I edit it?), so a
  // lookup, not a scan of a 2,000-message segment per message.
  const owners = createMemo(() => {
    const map = new Map<string, Y.Doc>();
    const handle = newest();
    if (handle) for (const message of newestMessages()) map.set(message.id, handle.doc);
    for (const list of olderLists()) for (const message of list.messages) map.set(message.id, list.doc);
    return map;
  });

  // Until the newest segment is read from the device, the room's cached tail stands in for it.
  const tail = createMemo(() => readTail(scope, roomId()));
  const newestReady = () => newest()?.loaded() === true;

  const loaded = createMemo(() => {
    const extra = olderMessages();
    if (extra.length === 0) return newestMessages();
    return [...extra, ...newestMessages()].sort(compareForDisplay);
  });

  // Right after the server seals a segment the newest one holds few messages or none: open older
  // segments at once until a screenful is there, instead of waiting for a scroll that an almost
  // empty list cannot produce.
  //
  // A sealed segment is never empty, so an older one that came from the device with no messages is
  // not on the device yet: wait for the server's copy before reaching further back, or an empty
  // device would open every segment of the room at once.
  const lastSettled = () => {
    const opened = older();
    const last = opened[opened.length - 1];
    if (!last) return newestReady();
    olderVersion();
    return last.synced() || messageCount(last.doc) > 0 || last.refusal() !== null;
  };
  createEffect(() => {
    if (!newestReady() || loadingOlder() || !hasOlder() || !lastSettled()) return;
    if (loaded().length < TAIL_SIZE) loadOlder();
  });

  let tailTimer: ReturnType<typeof setTimeout> | undefined;
  createEffect(() => {
    if (!newestReady() || (loaded().length < TAIL_SIZE && (hasOlder() || loadingOlder()))) return;
    const latest = loaded();
    const id = roomId();
    clearTimeout(tailTimer);
    tailTimer = setTimeout(() => writeTail(scope, id, latest), 1_000);
  });
  onCleanup(() => clearTimeout(tailTimer));

  const messages = createMemo(() => {
    if (!newestReady() && newestMessages().length === 0) return tail();
    // The newest segment is read but holds less than a screenful and older ones are still loading:
    // the cached tail is the better picture until they are in.
    const list = loaded();
    if (list.length >= TAIL_SIZE || !(hasOlder() || loadingOlder())) return list;
    const fresh = new Set(list.map((m) => m.id));
    const cached = tail().filter((m) => !fresh.has(m.id));
    return cached.length === 0 ? list : [...cached, ...list].sort(compareForDisplay);
  });

  const docFor = (messageId: string): Y.Doc | null => owners().get(messageId) ?? null;

  return { newest, messages, hasOlder, loadOlder, loadingOlder, docFor };
}
