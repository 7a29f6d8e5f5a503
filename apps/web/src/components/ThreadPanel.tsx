import {
  canChangeMessage,
  createReply,
  deleteMessage,
  editMessage,
  type MessageRecord,
  type MessageView,
  threadRepliesOf,
} from "@chat/model";
import { type Accessor, createEffect, createMemo, createSignal, For, on, Show } from "solid-js";
import { displayNameOf } from "../lib/people";
import { revealRequestedMessage } from "../search/revealMessage";
import { useDraft } from "../state/drafts";
import type { RoomHistory } from "../state/history";
import { outdated } from "../state/session";
import { threadLife } from "../state/threadLife";
import { useWorkspace } from "../state/workspace";
import type { DocHandle } from "../sync/docs";
import { CloseIcon } from "../ui/Icons";
import { Composer } from "./Composer";
import { type ChosenFile, createChosenFiles } from "./chosenFiles";
import { MessageItem } from "./MessageItem";

/** Why a thread's root cannot be shown, or null once it is. */
type RootProblem = "loading" | "missing" | "not-a-message";

/**
 * The complementary region "Thread" beside the room (the whole screen on a phone): the root message,
 * its replies in the log "Replies", and the box "Reply" with "Also send to room". Replies are messages
 * of the room's history naming their root (model threads.ts), so they come from the same segments as
 * the room's messages (`messages`, replies included), are written to its newest segment the same way
 * (`post`: Pending until numbered, kept on the device) and are edited, deleted and reacted to the same
 * way. Escape (or "Close thread") closes it.
 */
export function ThreadPanel(props: {
  roomId: string;
  rootId: string;
  /** The conversation as its header names it ("#general", "bob"). */
  roomLabel: string;
  /** Every message of the open segments, replies included, in display order. */
  messages: Accessor<MessageView[]>;
  history: RoomHistory;
  room: Accessor<DocHandle | null>;
  /** Why nobody can reply here now (previewing a public room, archived), or null. */
  cannotReply: Accessor<string | null>;
  /** Whether anything here may be written (false while previewing: reactions, edits, the read position). */
  writable: Accessor<boolean>;
  /** Appends a reply to the room's newest segment (or holds it until that segment is known). */
  post(reply: MessageRecord): void;
  /** Puts a reply with files in the device's outbox (it joins the thread once they are uploaded). */
  sendWithFiles(text: string, files: readonly ChosenFile[], alsoInRoom: boolean): void;
  /** Whether files may be attached here now. */
  canAttach: Accessor<boolean>;
  colorFor(userId: string): string;
  receiptFor(message: MessageView): "sent" | "read" | null;
  onClose(): void;
}) {
  const workspace = useWorkspace();
  const me = workspace.me;
  const root = createMemo(() => props.messages().find((message) => message.id === props.rootId));
  const replies = createMemo(() => threadRepliesOf(props.messages(), props.rootId));

  // The root may be in an older segment than the room opened with (its replies in newer ones):
  // reach back through the history until it is there or nothing older is left.
  createEffect(() => {
    if (root() || !props.history.newest()?.loaded() || props.history.loadingOlder()) return;
    if (props.history.hasOlder()) props.history.loadOlder();
  });
  const problem = createMemo<RootProblem | null>(() => {
    const found = root();
    if (found) return found.event !== undefined || found.threadRoot !== undefined ? "not-a-message" : null;
    const settled =
      props.history.newest()?.synced() === true && !props.history.hasOlder() && !props.history.loadingOlder();
    return settled ? "missing" : "loading";
  });

  const life = threadLife({
    room: props.room,
    rootId: props.rootId,
    replies,
    me,
    writable: props.writable,
  });

  /** Why a reply cannot be sent now, as a sentence; null when it can. */
  const refusal = (): string | null => {
    if (outdated()) return "This version of Chat is out of date. Reload to send; your text stays here.";
    const current = problem();
    if (current === "loading") return "The message is still loading: try again in a moment.";
    if (current === "missing") return "This message does not exist (any more), so it cannot be replied to.";
    if (current === "not-a-message")
      return "Only a person's message that is not itself a reply can have a thread.";
    if (root()?.deleted) return "This message was deleted, so it cannot be replied to.";
    return props.cannotReply();
  };

  const [alsoInRoom, setAlsoInRoom] = createSignal(false);
  let scroller!: HTMLDivElement;
  const [following, setFollowing] = createSignal(true);
  const chosen = createChosenFiles();
  const send = (text: string, files: readonly ChosenFile[]) => {
    const why = refusal();
    if (why) throw new Error(why);
    // Waits on the device until its files are uploaded (sync/fileSender.ts); throws MessageRejected too.
    if (files.length > 0) props.sendWithFiles(text, files, alsoInRoom());
    // createReply throws MessageRejected with a sentence for empty or over-long text.
    else props.post(createReply(me.id, text, props.rootId, { alsoInRoom: alsoInRoom() }));
    setAlsoInRoom(false);
    setFollowing(true);
  };
  // What was typed and not sent stays in the person's user document, per thread.
  const draft = useDraft(workspace.userIndex, `${props.roomId}/${props.rootId}`);

  // Up-arrow in the empty box: my newest reply that I may still change opens for editing.
  const [editRequest, setEditRequest] = createSignal<string | null>(null);
  const editLast = () => {
    const list = replies();
    for (let i = list.length - 1; i >= 0; i--) {
      const reply = list[i]!;
      if (reply.deleted || !canChangeMessage(reply, me.id)) continue;
      setEditRequest(reply.id);
      return true;
    }
    return false;
  };

  /** Reports whether the newest reply is in view (reading happens there), and keeps following it. */
  const report = () => {
    const fromBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight;
    setFollowing(fromBottom < 48);
    life.setAtBottom(fromBottom < 48);
  };
  createEffect(
    on(
      () => [replies(), root()] as const,
      () => {
        if (following()) scroller.scrollTop = scroller.scrollHeight;
        requestAnimationFrame(report);
      },
    ),
  );

  // A search hit on a reply opened the thread (`?m=<reply>`): scroll to it and highlight it.
  revealRequestedMessage(
    () => scroller,
    replies,
    () => setFollowing(false),
  );

  // Rows are keyed by message id (as in the room's log), so a reply's row, and an edit in progress
  // in it, stays put when the reply gets its number or is edited elsewhere.
  const replyIds = createMemo(() => (problem() ? [] : replies().map((reply) => reply.id)), [], {
    equals: (a, b) => a.length === b.length && a.every((id, i) => id === b[i]),
  });
  const positions = createMemo(() => new Map(replies().map((reply, i) => [reply.id, i])));
  // The first reply's day divider counts from the root's day (no "Today" again under a root of
  // today), while its author's name always shows: the root stands in, under nobody's name.
  const dayAnchor = () => {
    const found = root();
    return found ? { ...found, author: "" } : undefined;
  };
  const nameOf = (userId: string) => displayNameOf(workspace.userById().get(userId));

  const item = (
    message: Accessor<MessageView>,
    previous: Accessor<MessageView | undefined>,
    rootCopy: boolean,
  ) => {
    const doc = () => (props.writable() ? props.history.docFor(message().id) : null);
    return (
      <MessageItem
        message={message()}
        previous={previous()}
        author={workspace.userById().get(message().author)}
        mentionsMe={message().mentions.includes(me.username)}
        knownUsernames={workspace.knownUsernames()}
        userByUsername={workspace.userByUsername()}
        color={props.colorFor(message().author)}
        startsNew={!rootCopy && message().id === life.newRepliesFrom()}
        receipt={props.receiptFor(message())}
        mine={props.writable() && canChangeMessage(message(), me.id) && doc() !== null}
        reactions={(() => {
          const target = doc();
          return target ? { doc: target, messageId: message().id, me: me.id, nameOf } : null;
        })()}
        onEdit={(text) => {
          const target = props.history.docFor(message().id);
          if (target) editMessage(target, message(), me.id, text);
        }}
        onDelete={() => {
          const target = props.history.docFor(message().id);
          if (target) deleteMessage(target, message(), me.id);
        }}
        editRequested={!rootCopy && editRequest() === message().id}
        onEditStarted={() => setEditRequest(null)}
        rootCopy={rootCopy}
      />
    );
  };

  return (
    <aside
      class="thread-panel"
      aria-label="Thread"
      onKeyDown={(event) => {
        if (
          event.key !== "Escape" ||
          event.defaultPrevented ||
          event.ctrlKey ||
          event.metaKey ||
          event.altKey
        )
          return;
        const target = event.target as Element | null;
        if (document.querySelector("dialog[open]") || target?.closest('[role="menu"], [role="listbox"]'))
          return;
        event.preventDefault();
        props.onClose();
      }}
    >
      <div class="thread-header">
        <div class="thread-heading">
          <h2 id="thread-title">Thread</h2>
          <span class="thread-room">{props.roomLabel}</span>
        </div>
        <button
          type="button"
          class="icon-button"
          aria-label="Close thread"
          title="Close thread (Esc)"
          onClick={() => props.onClose()}
        >
          <CloseIcon />
        </button>
      </div>
      <div class="thread-scroll" ref={scroller} onScroll={report}>
        <Show
          when={!problem()}
          fallback={
            <Show
              when={problem() === "loading"}
              fallback={
                <div class="room-refused" role="alert">
                  <p class="room-refused-title">
                    {problem() === "missing" ? "This message does not exist." : "This is not a thread."}
                  </p>
                  <p>
                    {problem() === "missing"
                      ? "It may have been in a room you are no longer in, or the link is wrong."
                      : "Replies and lines about the room have no thread of their own."}
                  </p>
                </div>
              }
            >
              <p class="log-loading">Loading the thread…</p>
            </Show>
          }
        >
          <div class="thread-root">
            {item(
              () => root()!,
              () => undefined,
              true,
            )}
          </div>
          <p class="thread-count" aria-hidden="true">
            <Show when={replies().length > 0} fallback="No replies yet">
              {replies().length} {replies().length === 1 ? "reply" : "replies"}
            </Show>
          </p>
        </Show>
        <div class="thread-replies" role="log" aria-label="Replies">
          <For each={replyIds()}>
            {(id) => {
              const index = createMemo<number>((last) => positions().get(id) ?? last ?? 0);
              return (
                <Show when={replies()[index()]?.id === id}>
                  {item(
                    () => replies()[index()]!,
                    () => replies()[index() - 1] ?? dayAnchor(),
                    false,
                  )}
                </Show>
              );
            }}
          </For>
        </div>
      </div>
      <Show
        when={
          !props.cannotReply() && problem() !== "missing" && problem() !== "not-a-message" && !root()?.deleted
        }
        fallback={
          <p class="archived-note thread-closed" role="note">
            {refusal() ?? props.cannotReply()}
          </p>
        }
      >
        <Composer
          label="Reply"
          inputId="thread-reply-input"
          sendLabel="Send reply"
          placeholder="Reply…"
          onSend={(text, files) => send(text, files)}
          files={props.canAttach() ? chosen : undefined}
          people={workspace.activeUsers()}
          draft={draft}
          onEditLast={editLast}
          autofocus
          options={
            <label class="also-in-room">
              <input
                type="checkbox"
                checked={alsoInRoom()}
                onChange={(event) => setAlsoInRoom(event.currentTarget.checked)}
              />
              Also send to room
            </label>
          }
        />
      </Show>
    </aside>
  );
}
