import {
  lastSequence,
  type MessageView,
  markThreadReadUpTo,
  observeThreadReads,
  threadReadPosition,
} from "@chat/model";
import { type Accessor, createEffect, createSignal } from "solid-js";
import type { DocHandle } from "../sync/docs";
import { useAttending } from "./attending";
import { observedIn } from "./signals";

/**
 * Reading an open thread: my read position in it (the room document's `threadReads`, my own key)
 * moves to its newest reply while I look at the page with that reply in view (`setAtBottom`, from the
 * panel), as a room's does. The server then recounts the thread and its unread count goes to 0 on
 * all my devices. `newRepliesFrom` is where "New messages" goes: the first reply that was unread when
 * the thread opened.
 */
export function threadLife(options: {
  room: Accessor<DocHandle | null>;
  rootId: string;
  replies: Accessor<MessageView[]>;
  me: { id: string };
  /** False while the person only previews a public room: the server refuses their writes to it. */
  writable: Accessor<boolean>;
}) {
  const { room, rootId, replies, me } = options;
  const position = observedIn(room, observeThreadReads, (doc) => threadReadPosition(doc, me.id, rootId), 0);
  const looking = useAttending();
  const [atBottom, setAtBottom] = createSignal(false);

  const [newRepliesFrom, setNewRepliesFrom] = createSignal<string | null>(null);
  let opened = false;
  createEffect(() => {
    const handle = room();
    if (opened || !handle?.synced()) return;
    opened = true;
    if (!options.writable()) return;
    const readUpTo = position();
    const first = replies().find(
      (reply) => reply.seq !== null && reply.seq > readUpTo && reply.author !== me.id && !reply.deleted,
    );
    setNewRepliesFrom(first?.id ?? null);
  });

  createEffect(() => {
    const handle = room();
    // Only once the room document is synced: a stale local copy must not write an older position.
    if (!handle?.synced() || !options.writable() || !looking() || !atBottom()) return;
    const last = lastSequence(replies());
    if (last > position()) markThreadReadUpTo(handle.doc, me.id, rootId, last);
  });

  return { setAtBottom, newRepliesFrom };
}
