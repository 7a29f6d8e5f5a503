import type { MessageView, UserEntry } from "@chat/model";
import { createEffect, createMemo, For, type JSX, on, Show } from "solid-js";
import { revealRequestedMessage } from "../search/revealMessage";
import { MessageItem } from "./MessageItem";

/**
 * The log "Messages": one article per message in display order (server sequence, then pending).
 * Sticks to the bottom on open and as messages arrive, unless the person has scrolled up to read.
 */
export function MessageList(props: {
  messages: MessageView[];
  me: UserEntry | { id: string; username: string };
  userById: ReadonlyMap<string, UserEntry>;
  knownUsernames: ReadonlySet<string>;
  loading: boolean;
  intro: JSX.Element;
  /** Id of the first unread message when the room was opened ("New messages" goes above it). */
  newMessagesFrom: string | null;
  receiptFor(message: MessageView): "sent" | "read" | null;
  canChange(message: MessageView): boolean;
  onEdit(message: MessageView, text: string): void;
  onDelete(message: MessageView): void;
}) {
  let log!: HTMLDivElement;
  const ids = createMemo(() => props.messages.map((message) => message.id), [], {
    equals: (a, b) => a.length === b.length && a.every((id, i) => id === b[i]),
  });
  const positions = createMemo(() => new Map(props.messages.map((message, i) => [message.id, i])));
  let atBottom = true;
  const NEAR_BOTTOM_PX = 48;

  const onScroll = () => {
    atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < NEAR_BOTTOM_PX;
  };

  createEffect(
    on(
      () => props.messages,
      (list, previous) => {
        const last = list[list.length - 1];
        const previousLast = previous?.[previous.length - 1];
        const justSentByMe = last !== undefined && last !== previousLast && last.author === props.me.id;
        if (atBottom || justSentByMe) {
          log.scrollTop = log.scrollHeight;
          atBottom = true;
        }
      },
    ),
  );
  // A search result opened here: scroll to its message, and stop sticking to the bottom.
  revealRequestedMessage(
    () => log,
    () => props.messages,
    () => {
      atBottom = false;
    },
  );

  return (
    <div class="log" role="log" aria-label="Messages" ref={log} onScroll={onScroll} tabindex="0">
      <div class="log-intro">{props.intro}</div>
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
                startsNew={id === props.newMessagesFrom}
                receipt={props.receiptFor(message())}
                mine={props.canChange(message())}
                onEdit={(text) => props.onEdit(message(), text)}
                onDelete={() => props.onDelete(message())}
              />
            </Show>
          );
        }}
      </For>
    </div>
  );
}
