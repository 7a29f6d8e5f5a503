import { Show } from "solid-js";

/** "1 mention", "2 mentions". */
export function countLabel(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/**
 * A nav link's unread count and distinct mention badge. The visible badges are aria-hidden; the link's
 * accessible name gains ", N unread, N mentions" from the hidden text instead (the accessible names the e2e tests rely on).
 */
export function UnreadBadges(props: { unread: number; mentions: number }) {
  return (
    <>
      <Show when={props.mentions > 0}>
        <span class="badge mention-badge" aria-hidden="true" title={countLabel(props.mentions, "mention")}>
          @{props.mentions}
        </span>
      </Show>
      <Show when={props.unread > 0 && props.mentions === 0}>
        <span class="badge unread-badge" aria-hidden="true" title={`${props.unread} unread`}>
          {props.unread}
        </span>
      </Show>
      {/* A muted room has no unread count, but its mentions still count. */}
      <Show when={props.unread > 0 || props.mentions > 0}>
        <span class="visually-hidden">
          <Show when={props.unread > 0}>, {props.unread} unread</Show>
          <Show when={props.mentions > 0}>, {countLabel(props.mentions, "mention")}</Show>
        </span>
      </Show>
    </>
  );
}
