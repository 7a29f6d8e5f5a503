import type { MessageView, UserEntry } from "@chat/model";
import { createEffect, createMemo, For, type JSX, on, Show } from "solid-js";
import type * as Y from "yjs";
import type { OutboxMessage } from "../device/fileOutbox";
import { displayNameOf } from "../lib/people";
import { revealRequestedMessage } from "../search/revealMessage";
import type { FileSender } from "../sync/fileSender";
import { MessageItem } from "./MessageItem";
import { useMessageWindow } from "./messageWindow";

/**
 * The log "Messages": one article per message in display order (server sequence, then pending).
 * Sticks to the bottom on open and as messages arrive, unless the person has scrolled up to read.
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
  receiptFor(message: MessageView): "sent" | "read" | null;
  canChange(message: MessageView): boolean;
  /** The open segment document that holds a message (its reactions are written there). */
  docFor(message: MessageView): Y.Doc | null;
  onEdit(message: MessageView, text: string): void;
  /** The id of a message whose edit box should open (Up-arrow in the empty composer), if any. */
  editRequest?: string | null;
  onEditStarted?(): void;
  onDelete(message: MessageView): void;
  /** My message still waiting on this device for its files (sync/fileSender.ts), by id. */
  outgoingFor?(messageId: string): OutboxMessage | undefined;
  files?: FileSender;
  hasOlder?: boolean;
  loadingOlder?: boolean;
  onReachStart?: () => void;
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
      },
    ),
  );
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
      onScroll={() => win.onScroll()}
      tabindex="0"
    >
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
