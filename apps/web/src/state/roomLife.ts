import {
  dmParticipants,
  firstUnreadId,
  lastSequence,
  type MessageView,
  markReadUpTo,
  markUnreadFrom,
  observeReads,
  readPositions,
} from "@chat/model";
import { type Accessor, createEffect, createSignal, on, untrack } from "solid-js";
import type { DocHandle } from "../sync/docs";
import { useAttending } from "./attending";
import { observedIn } from "./signals";

/**
 * Read positions in an open room: where "New messages" begins, marking the room read as I read it, and
 * receipts for my messages (✓✓ once the other person of a DM has read them).
 *
 * My read position moves to the newest message only while I look at the room (the tab visible, the
 * window focused) with the newest message in view (`setAtBottom`, from the message list): a room opened
 * at its first unread message is read once I have scrolled down through it, not at once on opening.
 * The server then clears the count on all my devices.
 *
 * "Mark unread" (`markUnread`) moves my position back to just before a message. It is then left alone
 * while the room stays open here, even at the bottom and as messages arrive (otherwise the open room
 * would read it again at once), until I send a message in the room, press Escape (`markAllRead`), or
 * leave the room and come back. A position moved back by another of my devices is held the same way.
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
  // Where the list opens: the first unread message when the room was opened (null: none, at the
  // newest), undefined until the room and its newest segment are synced and that is known.
  const [firstUnreadAtOpen, setFirstUnreadAtOpen] = createSignal<string | null | undefined>(undefined);
  createEffect(() => {
    if (opened() || !room()?.synced() || !segment()?.synced()) return;
    // Someone previewing a public room has read nothing of it and has nothing unread in it either.
    const previewing = options.writable !== undefined && !options.writable();
    const first = previewing ? null : firstUnreadId(messages(), me.id, myRead());
    setNewMessagesFrom(first);
    setFirstUnreadAtOpen(first);
    setOpened(true);
  });
  const looking = useAttending();

  // The newest message is in view (told by the message list once it has placed itself).
  const [atBottom, setAtBottom] = createSignal(false);
  // Marked unread here or on another device: not read again until I send, press Escape or come back.
  const [held, setHeld] = createSignal(false);

  createEffect(
    on(
      () => [room(), myRead()] as const,
      ([handle, now], previous) => {
        // Moved back in this same synced copy while the room is open: a copy catching up before it
        // opened, or one opened afresh (after a refused write) that starts empty, is not a move.
        if (!previous || handle !== previous[0] || !handle?.synced() || now >= previous[1]) return;
        if (!untrack(opened)) return;
        setHeld(true);
        setNewMessagesFrom(firstUnreadId(untrack(messages), me.id, now));
      },
    ),
  );

  createEffect(() => {
    const handle = room();
    // Only once the room document is synced: a stale local copy must not write an older position.
    if (!handle?.synced() || !opened()) return;
    if (options.writable && !options.writable()) return;
    if (!looking()) {
      if (newMessagesFrom() === null) setNewMessagesFrom(firstUnreadId(messages(), me.id, myRead()));
      return;
    }
    if (held() || !atBottom()) return;
    const last = lastSequence(messages());
    if (last > myRead()) markReadUpTo(handle.doc, me.id, last);
  });

  /** "Mark unread": my position goes to just before `message`, on every device of mine. */
  const canWrite = () => !options.writable || options.writable();
  const markUnread = (message: MessageView) => {
    const handle = room();
    if (!handle || message.seq === null || !canWrite()) return;
    markUnreadFrom(handle.doc, me.id, message.seq);
    setHeld(true);
    setNewMessagesFrom(message.id);
  };

  /** Escape: everything here is read, and "New messages" goes. */
  const markAllRead = () => {
    const handle = room();
    if (!handle?.synced() || !canWrite()) return;
    setHeld(false);
    setNewMessagesFrom(null);
    const last = lastSequence(messages());
    if (last > myRead()) markReadUpTo(handle.doc, me.id, last);
  };

  /** I sent a message here: I am reading the room again. */
  const sent = () => setHeld(false);

  const pair = dmParticipants(options.roomId);
  const otherId = pair ? (pair[0] === me.id ? pair[1] : pair[0]) : null;
  const receiptFor = (message: MessageView): "sent" | "read" | null => {
    if (message.author !== me.id || message.event !== undefined || message.seq === null) return null;
    if (otherId !== null && (reads().get(otherId) ?? 0) >= message.seq) return "read";
    return "sent";
  };

  return { newMessagesFrom, firstUnreadAtOpen, receiptFor, setAtBottom, markUnread, markAllRead, sent };
}
