import {
  dmParticipants,
  firstUnreadId,
  lastSequence,
  type MessageView,
  markReadUpTo,
  observeReads,
  readPositions,
} from "@chat/model";
import { type Accessor, createEffect, createSignal, onCleanup } from "solid-js";
import type { DocHandle } from "../sync/docs";
import { observedIn } from "./signals";

/** The person is looking at this tab: it is visible and the window has focus. */
function attending(): boolean {
  return document.visibilityState === "visible" && document.hasFocus();
}

/**
 * Read positions in an open room: where "New messages" begins, marking the room read while I look at it (opening it, or coming back to
 * the window, moves my read position to the newest message; the server then clears the count on all
 * my devices), and receipts for my messages (✓✓ once the other person of a DM has read them).
 */
export function roomLife(options: {
  room: Accessor<DocHandle | null>;
  segment: Accessor<DocHandle | null>;
  messages: Accessor<MessageView[]>;
  me: { id: string };
  roomId: string;
  /** False while the person only previews a public room: the server refuses their writes to it. */
  writable?: Accessor<boolean>;
}) {
  const { room, segment, messages, me } = options;
  const reads = observedIn(room, observeReads, readPositions, new Map<string, number>());
  const myRead = () => reads().get(me.id) ?? 0;

  // "New messages" marks the first message that was unread when I opened the room, or that arrived
  // while I was away from the window; not the ones that arrive while I am looking.
  const [opened, setOpened] = createSignal(false);
  const [newMessagesFrom, setNewMessagesFrom] = createSignal<string | null>(null);
  createEffect(() => {
    if (opened() || !room()?.synced() || !segment()?.synced()) return;
    // Someone previewing a public room has read nothing of it and has nothing unread in it either.
    const previewing = options.writable !== undefined && !options.writable();
    setNewMessagesFrom(previewing ? null : firstUnreadId(messages(), me.id, myRead()));
    setOpened(true);
  });
  const [looking, setLooking] = createSignal(attending());
  const update = () => setLooking(attending());
  window.addEventListener("focus", update);
  window.addEventListener("blur", update);
  document.addEventListener("visibilitychange", update);
  onCleanup(() => {
    window.removeEventListener("focus", update);
    window.removeEventListener("blur", update);
    document.removeEventListener("visibilitychange", update);
  });

  createEffect(() => {
    const handle = room();
    // Only once the room document is synced: a stale local copy must not write an older position.
    if (!handle?.synced() || !opened()) return;
    if (options.writable && !options.writable()) return;
    if (!looking()) {
      if (newMessagesFrom() === null) setNewMessagesFrom(firstUnreadId(messages(), me.id, myRead()));
      return;
    }
    const last = lastSequence(messages());
    if (last > myRead()) markReadUpTo(handle.doc, me.id, last);
  });

  const pair = dmParticipants(options.roomId);
  const otherId = pair ? (pair[0] === me.id ? pair[1] : pair[0]) : null;
  const receiptFor = (message: MessageView): "sent" | "read" | null => {
    if (message.author !== me.id || message.event !== undefined || message.seq === null) return null;
    if (otherId !== null && (reads().get(otherId) ?? 0) >= message.seq) return "read";
    return "sent";
  };

  return { newMessagesFrom, receiptFor };
}
