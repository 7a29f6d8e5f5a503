import { Show } from "solid-js";

/** "N pending" beside the connection state while this person's changes wait for the server. */
export function PendingBadge(props: { count: number }) {
  return (
    <Show when={props.count > 0}>
      <span class="connection-pending">
        {" · "}
        {props.count} pending
      </span>
    </Show>
  );
}
