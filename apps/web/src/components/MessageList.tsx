import { type MessageView, renderMarkdown, type UserEntry } from "@chat/model";
import { createEffect, createMemo, For, type JSX, on, Show } from "solid-js";
import { formatLongTime, formatMessageTime, hueFor, initial, isoTime } from "../format";
import { messageElementId, revealRequestedMessage } from "../search/revealMessage";

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
}) {
  let log!: HTMLDivElement;
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
      <For each={props.messages}>
        {(message) => (
          <Message
            message={message}
            author={props.userById.get(message.author)}
            mentionsMe={message.mentions.includes(props.me.username)}
            knownUsernames={props.knownUsernames}
          />
        )}
      </For>
    </div>
  );
}

function Message(props: {
  message: MessageView;
  author: UserEntry | undefined;
  mentionsMe: boolean;
  knownUsernames: ReadonlySet<string>;
}) {
  const name = () => props.author?.username ?? "unknown";
  const html = createMemo(() => renderMarkdown(props.message.text, props.knownUsernames));
  return (
    <article
      id={messageElementId(props.message.id)}
      class="message"
      classList={{ pending: props.message.seq === null }}
      data-mention={props.mentionsMe ? "" : undefined}
      data-message-id={props.message.id}
    >
      <span class="avatar" aria-hidden="true" style={{ "--hue": hueFor(name()) }}>
        {initial(name())}
      </span>
      <div class="message-main">
        <div class="message-meta">
          <span class="author">{name()}</span>
          <time datetime={isoTime(props.message.createdAt)} title={formatLongTime(props.message.createdAt)}>
            {formatMessageTime(props.message.createdAt)}
          </time>
          <Show
            when={props.message.seq === null}
            fallback={
              <span class="sent" title="Sent" aria-label="Sent" role="img">
                ✓
              </span>
            }
          >
            <span class="pending-label">Pending</span>
          </Show>
        </div>
        <div class="message-text" innerHTML={html()} />
      </div>
    </article>
  );
}
