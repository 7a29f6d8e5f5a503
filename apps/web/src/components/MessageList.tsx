import type { MessageView, ThreadSummary, UserEntry } from "@chat/model";
import { createEffect, createMemo, createSignal, For, type JSX, on, Show } from "solid-js";
import type * as Y from "yjs";
import type { OutboxMessage } from "../device/fileOutbox";
import { displayNameOf } from "../lib/people";
import { search } from "../lib/router";
import { revealRequestedMessage } from "../search/revealMessage";
import type { FileSender } from "../sync/fileSender";
import { MessageItem } from "./MessageItem";
import { useMessageWindow } from "./messageWindow";

/**
 * The log "Messages": one article per message in display order (server sequence, then pending).
 * Opens at the first unread message (just under "New messages", at the top) when there is one, else
 * at the bottom; sticks to the bottom as messages arrive, unless the person has scrolled up to read.
 * "Jump to first unread" shows while "New messages" is above the view.
 * Only a window of the history is rendered (messageWindow.ts); scrolling back past the first loaded
 * message asks for older history (`onReachStart`).
 */
export function MessageList(props: {
  messages: MessageView[];
  me: UserEntry | { id: string; username: string };
  userById: ReadonlyMap<string, UserEntry>;
  knownUsernames: ReadonlySet<string>;
  /** Everyone by username: mention chips show display names. */
  userByUsername: ReadonlyMap<string, UserEntry>;
  /** An author's avatar colour in this room. */
  colorFor(userId: string): string;
  loading: boolean;
  intro: JSX.Element;
  /** Id of the first unread message when the room was opened ("New messages" goes above it). */
  newMessagesFrom: string | null;
  /** Where to open: that message at the top, null for the newest at the bottom; undefined: not known yet. */
  startAt?: string | null;
  /** Told whether the newest message is in view (from the opening placement on): reading happens there. */
  onAtBottom?(atBottom: boolean): void;
  /** "Mark unread" on someone else's numbered message. */
  onMarkUnread?(message: MessageView): void;
  receiptFor(message: MessageView): "sent" | "read" | null;
  canChange(message: MessageView): boolean;
  /** The open segment document that holds a message (its reactions are written there). */
  docFor(message: MessageView): Y.Doc | null;
  onEdit(message: MessageView, text: string): void;
  /** The id of a message whose edit box should open (Up-arrow in the empty composer), if any. */
  editRequest?: string | null;
  onEditStarted?(): void;
  onDelete(message: MessageView): void;
  /** Given to the workspace admin: removes someone else's message through the server. */
  removeAsAdmin?: (message: MessageView) => Promise<void>;
  /** My message still waiting on this device for its files (sync/fileSender.ts), by id. */
  outgoingFor?(messageId: string): OutboxMessage | undefined;
  files?: FileSender;
  hasOlder?: boolean;
  loadingOlder?: boolean;
  onReachStart?: () => void;
  /** The thread of a message with replies (its "N replies" button). */
  threadOf?(messageId: string): ThreadSummary | undefined;
  /** Whether a message offers "Reply in thread". */
  canReplyInThread?(message: MessageView): boolean;
  /** Opens the thread of the root message with this id. */
  onOpenThread?(rootId: string): void;
}) {
  let log!: HTMLDivElement;
  const nameOf = (userId: string) => displayNameOf(props.userById.get(userId));
  const reactionTarget = (message: MessageView) => {
    const doc = message.event ? null : props.docFor(message);
    return doc ? { doc, messageId: message.id, me: props.me.id, nameOf } : null;
  };
  const positions = createMemo(() => new Map(props.messages.map((message, i) => [message.id, i])));
  const win = useMessageWindow(
    () => props.messages,
    (message) => message.id,
    () => log,
    () => props.onReachStart?.(),
  );
  // Rendered rows are keyed by message id (see below); the window decides which ids are rendered.
  const ids = createMemo(() => win.visible().map((message) => message.id), [], {
    equals: (a, b) => a.length === b.length && a.every((id, i) => id === b[i]),
  });

  createEffect(
    on(
      () => props.messages,
      (list, previous) => {
        const last = list[list.length - 1];
        const previousLast = previous?.[previous.length - 1];
        const justSentByMe = last !== undefined && last !== previousLast && last.author === props.me.id;
        if (justSentByMe && !win.following()) win.followLatest();
        if (win.following()) log.scrollTop = log.scrollHeight;
        // Older history just arrived while the person waits at the top: extend the window into it.
        else if (list.length !== previous?.length) win.onScroll();
        report();
      },
    ),
  );
  // Opening: once the room knows its first unread message, put it at the top, under "New messages",
  // with the window around it. Until then (and for a room with nothing unread) the newest show at
  // the bottom. The list reports where it is only from then on, so nothing is read before it is seen.
  const [placed, setPlaced] = createSignal(false);
  const [separatorAbove, setSeparatorAbove] = createSignal(false);
  /** Whether the newest message is in view, and whether "New messages" is above the view. */
  const report = () => {
    if (!placed()) return;
    const fromBottom = log.scrollHeight - log.scrollTop - log.clientHeight;
    props.onAtBottom?.(win.atEnd() && fromBottom < 48);
    const id = props.newMessagesFrom;
    const index = id === null ? undefined : positions().get(id);
    if (index === undefined) return setSeparatorAbove(false);
    const separator = log.querySelector<HTMLElement>(".new-divider");
    if (separator)
      setSeparatorAbove(separator.getBoundingClientRect().bottom <= log.getBoundingClientRect().top);
    else setSeparatorAbove((positions().get(win.visible()[0]?.id ?? "") ?? -1) > index);
  };
  /** Scrolls "New messages" (or, without it, the message) to the top of the log. */
  const scrollToFirstUnread = (id: string, done: () => void = () => {}) => {
    if (!win.showFrom(id)) return false;
    // The window re-renders synchronously; measure once the browser has laid it out.
    requestAnimationFrame(() => {
      const article = log.querySelector<HTMLElement>(`article[data-message-id="${CSS.escape(id)}"]`);
      const target = log.querySelector<HTMLElement>(".new-divider") ?? article;
      if (target) log.scrollTop += target.getBoundingClientRect().top - log.getBoundingClientRect().top;
      win.onScroll();
      done();
      report();
    });
    return true;
  };
  let placing = false;
  createEffect(() => {
    const start = props.startAt;
    if (placing || start === undefined) return;
    placing = true;
    // Reported only once in place: until then the log may still sit at the bottom it showed first.
    const ready = () => setPlaced(true);
    // A search hit opened here (`?m=`) places itself (revealRequestedMessage).
    const fromSearch = new URLSearchParams(search()).has("m");
    if (start !== null && !fromSearch && scrollToFirstUnread(start, ready)) return;
    requestAnimationFrame(() => {
      ready();
      report();
    });
  });
  // The first unread message moved (marked unread here or elsewhere, read with Escape): say so.
  createEffect(
    on(
      () => props.newMessagesFrom,
      () => requestAnimationFrame(report),
      { defer: true },
    ),
  );
  const jumpToFirstUnread = () => {
    const id = props.newMessagesFrom;
    if (id === null) return;
    scrollToFirstUnread(id);
    // The button goes away: keyboard focus stays in the log, where the arrow keys scroll.
    log.focus({ preventScroll: true });
  };

  // A search result opened here: bring its message into the window, scroll to it, highlight it.
  revealRequestedMessage(
    () => log,
    () => props.messages,
    () => {},
    (messageId) => win.reveal(messageId),
  );

  return (
    <div
      class="log"
      role="log"
      aria-label="Messages"
      ref={(element) => {
        log = element;
        // A picture drawn after its message was rendered (a file still on this device) may grow the
        // log: stay at the newest message while following. `load` does not bubble, hence capture.
        element.addEventListener(
          "load",
          () => {
            if (win.following()) element.scrollTop = element.scrollHeight;
          },
          true,
        );
      }}
      onScroll={() => {
        win.onScroll();
        report();
      }}
      tabindex="0"
    >
      {/* A bar of no height, stuck to the top of the log: the button floats over the messages
          without moving them when it appears. */}
      <div class="jump-unread-bar">
        <Show when={separatorAbove()}>
          <button type="button" class="button primary small jump-unread" onClick={jumpToFirstUnread}>
            <span aria-hidden="true">↑</span>
            Jump to first unread
          </button>
        </Show>
      </div>
      <Show
        when={win.atStart() && !props.hasOlder}
        fallback={
          <p class="log-loading">
            {props.loadingOlder ? "Loading older messages…" : "Scroll up for older messages"}
          </p>
        }
      >
        <div class="log-intro">{props.intro}</div>
      </Show>
      <Show when={props.loading && props.messages.length === 0}>
        <p class="log-loading">Loading messages…</p>
      </Show>
      <For each={ids()}>
        {(id) => {
          // Rows are keyed by message id, so a row (and an edit or deletion in progress in it) stays
          // put when its message gets its sequence number or is edited elsewhere.
          const index = createMemo<number>((last) => positions().get(id) ?? last ?? 0);
          const message = () => props.messages[index()]!;
          return (
            <Show when={props.messages[index()]?.id === id}>
              <MessageItem
                message={message()}
                previous={props.messages[index() - 1]}
                author={props.userById.get(message().author)}
                mentionsMe={message().mentions.includes(props.me.username)}
                knownUsernames={props.knownUsernames}
                userByUsername={props.userByUsername}
                color={props.colorFor(message().author)}
                startsNew={id === props.newMessagesFrom}
                receipt={props.receiptFor(message())}
                mine={props.canChange(message())}
                reactions={reactionTarget(message())}
                outgoing={props.outgoingFor?.(id)}
                files={props.files}
                onEdit={(text) => props.onEdit(message(), text)}
                editRequested={props.editRequest === id}
                onEditStarted={props.onEditStarted}
                onDelete={() => props.onDelete(message())}
                onReplyInThread={
                  props.onOpenThread && props.canReplyInThread?.(message())
                    ? () => props.onOpenThread?.(id)
                    : undefined
                }
                thread={props.threadOf?.(id)}
                onOpenThread={
                  props.onOpenThread ? () => props.onOpenThread?.(message().threadRoot ?? id) : undefined
                }
                personOf={(userId) => props.userById.get(userId)}
                colorOf={props.colorFor}
                onRemoveAsAdmin={
                  props.removeAsAdmin && message().seq !== null && !message().deleted
                    ? () => props.removeAsAdmin!(message())
                    : undefined
                }
                onMarkUnread={
                  props.onMarkUnread &&
                  message().seq !== null &&
                  message().author !== props.me.id &&
                  message().event === undefined &&
                  !message().deleted
                    ? () => props.onMarkUnread?.(message())
                    : undefined
                }
              />
            </Show>
          );
        }}
      </For>
      <Show when={!win.atEnd()}>
        <button type="button" class="button small jump-latest" onClick={() => win.followLatest()}>
          Jump to the latest messages
        </button>
      </Show>
    </div>
  );
}
