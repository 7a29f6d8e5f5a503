import { type MessageView, renderMarkdown, type UserEntry } from "@chat/model";
import { createEffect, createMemo, For, type JSX, on, Show } from "solid-js";
import { formatLongTime, formatMessageTime, hueFor, initial, isoTime } from "../format";
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
  loading: boolean;
  intro: JSX.Element;
  hasOlder?: boolean;
  loadingOlder?: boolean;
  onReachStart?: () => void;
}) {
  let log!: HTMLDivElement;
  const win = useMessageWindow(
    () => props.messages,
    (message) => message.id,
    () => log,
    () => props.onReachStart?.(),
  );

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

  return (
    <div class="log" role="log" aria-label="Messages" ref={log} onScroll={() => win.onScroll()} tabindex="0">
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
      <For each={win.visible()}>
        {(message) => (
          <Message
            message={message}
            author={props.userById.get(message.author)}
            mentionsMe={message.mentions.includes(props.me.username)}
            knownUsernames={props.knownUsernames}
          />
        )}
      </For>
      <Show when={!win.atEnd()}>
        <button type="button" class="button small jump-latest" onClick={() => win.followLatest()}>
          Jump to the latest messages
        </button>
      </Show>
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
