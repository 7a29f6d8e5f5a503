import {
  groupedReactions,
  type MessageView,
  type ThreadSummary,
  toggleReaction,
  type UserEntry,
} from "@chat/model";
import { createEffect, createMemo, createSignal, Show } from "solid-js";
import type { OutboxMessage } from "../device/fileOutbox";
import { copyCodeOnClick } from "../lib/copyCode";
import { dayKey, dayLabel, GROUP_WINDOW_MS } from "../lib/days";
import { formatClock, formatLongTime, formatMessageTime, isoTime } from "../lib/format";
import { messageHtml } from "../lib/messageHtml";
import { displayNameOf, labelMentionChips } from "../lib/people";
import { messageElementId } from "../search/revealMessage";
import type { FileSender } from "../sync/fileSender";
import { Avatar } from "../ui/Avatar";
import { ThreadIcon } from "../ui/Icons";
import { Attachments } from "./Attachments";
import { ReactionPicker, Reactions, type ReactionTarget } from "./Reactions";
import { ThreadButton } from "./ThreadButton";

/** What the list knows about a message beyond the message itself. */
export interface MessageContext {
  author: UserEntry | undefined;
  /** The message mentions me: highlighted, with `data-mention`. */
  mentionsMe: boolean;
  knownUsernames: ReadonlySet<string>;
  /** Everyone by username: mention chips show display names (lib/people.ts labelMentionChips). */
  userByUsername: ReadonlyMap<string, UserEntry>;
  /** The author's avatar colour. */
  color: string;
  /** The first unread message: "New messages" goes above it. */
  startsNew: boolean;
  /** For my own messages: ✓ once sequenced, ✓✓ once the other person of a DM has read it. */
  receipt: "sent" | "read" | null;
  /** My own message that I may edit or delete now. */
  mine: boolean;
  /** Where the message's reactions are read and written (null while its segment is not open). */
  reactions: ReactionTarget | null;
  /** This device's copy of my message while it waits for its files to upload (with their progress). */
  outgoing?: OutboxMessage;
  /** What sends waiting files (retry or remove a refused one). */
  files?: FileSender;
  onEdit(text: string): void;
  onDelete(): void;
  /** The workspace admin removing someone else's message (through the server); absent for anyone else. */
  onRemoveAsAdmin?: () => Promise<void>;
  /** "Mark unread": given for someone else's numbered message (my own never count as unread). */
  onMarkUnread?: () => void;
  /** Up-arrow in an empty composer asked to edit this message (my last one): open its edit box. */
  editRequested?: boolean;
  /** Told once the requested edit box is open, so the request is not taken twice. */
  onEditStarted?(): void;
  /** "Reply in thread": given in the room for a person's message that may have a thread. */
  onReplyInThread?: () => void;
  /** The message's replies, when it has some: the "N replies" button under it opens the thread. */
  thread?: ThreadSummary;
  /** Opens the thread: the message's own, or, for a reply also sent to the room, its root's. */
  onOpenThread?: () => void;
  /** Everyone by id and their colour here: the thread button shows who replied. */
  personOf?: (userId: string) => UserEntry | undefined;
  colorOf?: (userId: string) => string;
  /** The root shown again atop its thread: the room's article keeps the element id (search reveals it). */
  rootCopy?: boolean;
}

/**
 * One row of the log: an optional day divider ("Today", "Yesterday", a date) and "New messages"
 * divider, then the message `article`. Consecutive messages of one author (within five minutes, same
 * day) are grouped: the name and avatar show once, while each article keeps the author's name for
 * screen readers.
 */
export function MessageItem(
  props: { message: MessageView; previous: MessageView | undefined } & MessageContext,
) {
  const message = () => props.message;
  const newDay = () => !props.previous || dayKey(props.previous.at) !== dayKey(message().at);
  const grouped = () => {
    const previous = props.previous;
    return (
      previous !== undefined &&
      !newDay() &&
      !props.startsNew &&
      previous.author === message().author &&
      previous.event === undefined &&
      message().event === undefined &&
      message().at - previous.at < GROUP_WINDOW_MS
    );
  };
  return (
    <>
      <Show when={newDay()}>
        <div class="day-divider" role="separator" aria-label={dayLabel(message().at)}>
          <span aria-hidden="true">{dayLabel(message().at)}</span>
        </div>
      </Show>
      <Show when={props.startsNew}>
        <div class="new-divider" role="separator" aria-label="New messages">
          <span aria-hidden="true">New messages</span>
        </div>
      </Show>
      <Show when={message().event} fallback={<Message {...props} grouped={grouped()} />}>
        <article
          id={messageElementId(message().id)}
          class="message event-line"
          data-message-id={message().id}
        >
          <span class="event-text">{message().text}</span>
          <time datetime={isoTime(message().at)} title={formatLongTime(message().at)}>
            {formatMessageTime(message().at)}
          </time>
        </article>
      </Show>
    </>
  );
}

function Message(props: { message: MessageView; grouped: boolean } & MessageContext) {
  const name = () => displayNameOf(props.author, "unknown");

  const html = createMemo(() => messageHtml(props.message.text, props.knownUsernames));
  const [textBox, setTextBox] = createSignal<HTMLDivElement>();
  // After each render of the text (render effects run before this one), and whenever someone is
  // renamed, mention chips show display names.
  createEffect(() => {
    html();
    const box = textBox();
    if (box) labelMentionChips(box, props.userByUsername);
  });
  const [editing, setEditing] = createSignal(false);
  const [confirming, setConfirming] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  // On touch screens (no hover) a tap on the message shows its actions.
  const [selected, setSelected] = createSignal(false);
  const canChange = () => props.mine && !props.message.deleted;
  createEffect(() => {
    if (!props.editRequested) return;
    if (canChange()) setEditing(true);
    props.onEditStarted?.();
  });
  const canReact = () => props.reactions !== null && !props.message.deleted;
  const canReplyInThread = () => props.onReplyInThread !== undefined && !props.message.deleted;
  const canAdminRemove = () => !canChange() && !!props.onRemoveAsAdmin && !props.message.deleted;
  const [picking, setPicking] = createSignal(false);
  let editBox!: HTMLTextAreaElement;
  let reactButton: HTMLButtonElement | undefined;
  const closePicker = (restoreFocus: boolean) => {
    setPicking(false);
    if (restoreFocus) queueMicrotask(() => reactButton?.focus());
  };
  const react = (emoji: string) => {
    const target = props.reactions;
    if (!target) return;
    try {
      // Picking an emoji I already reacted with leaves it on (the chip takes it back).
      const mine = groupedReactions(target.doc, target.messageId, target.me).some(
        (group) => group.emoji === emoji && group.mine,
      );
      if (!mine) toggleReaction(target.doc, target.messageId, emoji, target.me);
      setError(null);
    } catch (failure) {
      setError((failure as Error).message);
    }
    closePicker(true);
  };

  const save = () => {
    try {
      if (editBox.value !== props.message.text) props.onEdit(editBox.value);
      setEditing(false);
      setError(null);
    } catch (failure) {
      setError((failure as Error).message);
    }
  };
  const remove = async () => {
    try {
      if (canAdminRemove()) await props.onRemoveAsAdmin?.();
      else props.onDelete();
      setConfirming(false);
      setSelected(false);
    } catch (failure) {
      setError((failure as Error).message);
    }
  };

  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: keyboard users reach the actions by focus (:focus-within); the tap only reveals them where there is no hover
    <article
      id={props.rootCopy ? undefined : messageElementId(props.message.id)}
      class="message"
      classList={{
        pending: props.message.seq === null,
        grouped: props.grouped,
        deleted: props.message.deleted,
        selected: selected(),
      }}
      onClick={(event) => {
        if (!(event.target as Element).closest("a, button, textarea, input")) setSelected(!selected());
      }}
      data-mention={props.mentionsMe ? "" : undefined}
      data-message-id={props.message.id}
    >
      <Show
        when={props.grouped}
        fallback={<Avatar user={props.author} fallbackName={name()} color={props.color} />}
      >
        {/* Grouped under the message before: its time shows in the gutter on hover or focus (the
            meta line keeps it for screen readers). */}
        <span class="gutter-time" aria-hidden="true" title={formatLongTime(props.message.at)}>
          {formatClock(props.message.at)}
        </span>
      </Show>
      <div class="message-main">
        <div class="message-meta">
          <span class="author" title={props.author ? `@${props.author.username}` : undefined}>
            {name()}
          </span>
          <time datetime={isoTime(props.message.at)} title={formatLongTime(props.message.at)}>
            {formatMessageTime(props.message.at)}
          </time>
          <Show when={props.message.seq === null}>
            <span class="pending-label">Pending</span>
          </Show>
          <Show when={props.receipt === "sent"}>
            <span class="sent" title="Sent" aria-label="Sent" role="img">
              ✓
            </span>
          </Show>
          <Show when={props.receipt === "read"}>
            <span class="sent read" title="Read" aria-label="Read" role="img">
              ✓✓
            </span>
          </Show>
          <Show when={props.message.edited}>
            <span class="edited-label">(edited)</span>
          </Show>
          <Show
            when={
              (canChange() || canReact() || canAdminRemove() || props.onMarkUnread || canReplyInThread()) &&
              !editing() &&
              !confirming()
            }
          >
            <div class="message-actions" classList={{ open: picking() }}>
              <Show when={canReplyInThread()}>
                <button
                  type="button"
                  class="icon-button small"
                  aria-label="Reply in thread"
                  title="Reply in thread"
                  onClick={() => {
                    props.onReplyInThread?.();
                    setSelected(false);
                  }}
                >
                  <ThreadIcon />
                </button>
              </Show>
              <Show when={props.onMarkUnread}>
                {(markUnread) => (
                  <button
                    type="button"
                    class="icon-button small"
                    aria-label="Mark unread"
                    title="Mark unread from here"
                    onClick={() => {
                      markUnread()();
                      setSelected(false);
                    }}
                  >
                    <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
                      <path
                        d="M20 12.5V18a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2h8M4 8l8 5 3-1.9"
                        fill="none"
                        stroke="currentColor"
                        stroke-width="2"
                        stroke-linecap="round"
                        stroke-linejoin="round"
                      />
                      <circle cx="19" cy="6" r="3" fill="currentColor" />
                    </svg>
                  </button>
                )}
              </Show>
              <Show when={canReact()}>
                <button
                  ref={reactButton}
                  type="button"
                  class="icon-button small"
                  aria-label="Add reaction"
                  aria-expanded={picking()}
                  title="Add reaction"
                  data-reaction-opener=""
                  onClick={() => (picking() ? closePicker(true) : setPicking(true))}
                >
                  <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
                    <circle cx="11" cy="13" r="8" fill="none" stroke="currentColor" stroke-width="2" />
                    <path
                      d="M8 15c1.6 1.8 4.4 1.8 6 0M8.5 10.5h.01M13.5 10.5h.01M19 2v6M16 5h6"
                      fill="none"
                      stroke="currentColor"
                      stroke-width="2"
                      stroke-linecap="round"
                    />
                  </svg>
                </button>
              </Show>
              <Show when={canChange()}>
                <button
                  type="button"
                  class="icon-button small"
                  aria-label="Edit message"
                  title="Edit"
                  onClick={() => {
                    setEditing(true);
                    setSelected(false);
                  }}
                >
                  <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
                    <path
                      d="M4 20h4L19 9l-4-4L4 16zM14 6l4 4"
                      fill="none"
                      stroke="currentColor"
                      stroke-width="2"
                      stroke-linejoin="round"
                    />
                  </svg>
                </button>
                <button
                  type="button"
                  class="icon-button small"
                  aria-label="Delete message"
                  title="Delete"
                  onClick={() => setConfirming(true)}
                >
                  <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
                    <path
                      d="M5 7h14M10 7V4h4v3M7 7l1 13h8l1-13"
                      fill="none"
                      stroke="currentColor"
                      stroke-width="2"
                      stroke-linejoin="round"
                    />
                  </svg>
                </button>
              </Show>
              <Show when={canAdminRemove()}>
                <button
                  type="button"
                  class="icon-button small"
                  aria-label="Delete message"
                  title="Delete (as the workspace admin)"
                  onClick={() => setConfirming(true)}
                >
                  <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
                    <path
                      d="M5 7h14M10 7V4h4v3M7 7l1 13h8l1-13"
                      fill="none"
                      stroke="currentColor"
                      stroke-width="2"
                      stroke-linejoin="round"
                    />
                  </svg>
                </button>
              </Show>
            </div>
          </Show>
        </div>
        <Show
          when={!props.message.deleted}
          fallback={
            <p class="message-text deleted-text">
              {props.message.removedByAdmin ? "message removed by an admin" : "message deleted"}
            </p>
          }
        >
          <Show
            when={editing()}
            fallback={
              <Show when={props.message.text.trim() !== ""}>
                <div
                  class="message-text"
                  ref={(element) => {
                    setTextBox(element);
                    // The code blocks' Copy buttons are in the rendered HTML: their clicks (by mouse,
                    // or Enter and Space on the focused button) are handled here, delegated.
                    element.addEventListener("click", copyCodeOnClick);
                  }}
                  innerHTML={html()}
                />
              </Show>
            }
          >
            <form
              class="edit-form"
              onSubmit={(event) => {
                event.preventDefault();
                save();
              }}
            >
              <textarea
                ref={(el) => {
                  editBox = el;
                  queueMicrotask(() => el.focus());
                }}
                aria-label="Edit message"
                rows={2}
                value={props.message.text}
                onKeyDown={(event) => {
                  if (event.key === "Escape") {
                    event.preventDefault();
                    setEditing(false);
                    setError(null);
                  } else if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
                    event.preventDefault();
                    save();
                  }
                }}
              />
              <div class="edit-actions">
                <button type="button" class="button ghost small" onClick={() => setEditing(false)}>
                  Cancel
                </button>
                <button type="submit" class="button primary small">
                  Save
                </button>
              </div>
            </form>
          </Show>
        </Show>
        <Show when={(props.message.attachments?.length ?? 0) > 0 || props.outgoing}>
          <Attachments
            attachments={props.message.attachments ?? []}
            outgoing={props.outgoing}
            sender={props.files}
          />
        </Show>
        <Show when={picking() && canReact()}>
          <ReactionPicker onPick={react} onClose={closePicker} />
        </Show>
        <Show when={canReact() && props.reactions}>
          {(target) => <Reactions target={target()} onError={setError} />}
        </Show>
        <Show when={props.thread && props.thread.count > 0 && props.onOpenThread ? props.thread : undefined}>
          {(summary) => (
            <ThreadButton
              summary={summary()}
              personOf={(id) => props.personOf?.(id)}
              colorOf={(id) => props.colorOf?.(id) ?? props.color}
              onOpen={() => props.onOpenThread?.()}
            />
          )}
        </Show>
        <Show when={props.message.threadRoot !== undefined && props.onOpenThread}>
          <p class="thread-origin">
            <span>Replied in a thread</span>
            <button type="button" class="button ghost small" onClick={() => props.onOpenThread?.()}>
              View thread
            </button>
          </p>
        </Show>
        <Show when={error()}>
          <p class="form-error" role="alert">
            {error()}
          </p>
        </Show>
        <Show when={confirming()}>
          <div class="delete-confirm" role="group" aria-label="Delete this message?">
            <span>
              {canAdminRemove()
                ? "Delete this message for everyone? It will show as removed by an admin."
                : "Delete this message for everyone?"}
            </span>
            <button type="button" class="button ghost small" onClick={() => setConfirming(false)}>
              Cancel
            </button>
            <button type="button" class="button danger small" onClick={() => void remove()}>
              Delete
            </button>
          </div>
        </Show>
      </div>
    </article>
  );
}
