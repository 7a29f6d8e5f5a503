import type { ThreadSummary, UserEntry } from "@chat/model";
import { For } from "solid-js";
import { formatAgo, formatLongTime } from "../lib/format";
import { displayNameOf } from "../lib/people";
import { threadButtonLabel } from "../lib/threadLabels";
import { now } from "../state/clock";
import { Avatar } from "../ui/Avatar";

/**
 * Under a message that has replies: the repliers' avatars, "2 replies" and "last reply 3 min ago".
 * Its name says it all in one sentence ("2 replies from bob and carol, last reply 3 min ago"); a click
 * opens the thread beside the room.
 */
export function ThreadButton(props: {
  summary: ThreadSummary;
  personOf: (userId: string) => UserEntry | undefined;
  colorOf: (userId: string) => string;
  onOpen: () => void;
}) {
  const names = () => props.summary.repliers.map((id) => displayNameOf(props.personOf(id), "unknown"));
  const replies = () => `${props.summary.count} ${props.summary.count === 1 ? "reply" : "replies"}`;
  return (
    <button
      type="button"
      class="thread-button"
      aria-label={threadButtonLabel(props.summary.count, names(), props.summary.lastAt, now())}
      title={`Last reply ${formatLongTime(props.summary.lastAt)}`}
      onClick={() => props.onOpen()}
    >
      <span class="thread-button-faces" aria-hidden="true">
        <For each={props.summary.repliers.slice(0, 3)}>
          {(id) => <Avatar user={props.personOf(id)} color={props.colorOf(id)} size="tiny" />}
        </For>
      </span>
      <span class="thread-button-count" aria-hidden="true">
        {replies()}
      </span>
      <span class="thread-button-when" aria-hidden="true">
        Last reply {formatAgo(props.summary.lastAt, now())}
      </span>
    </button>
  );
}
