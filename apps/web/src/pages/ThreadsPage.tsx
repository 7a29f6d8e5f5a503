import { dmParticipants, type FollowedThread, splitMentions, threadsForList } from "@chat/model";
import { createMemo, For, Show } from "solid-js";
import { countLabel, UnreadBadges } from "../components/UnreadBadges";
import { formatAgo, formatLongTime, isoTime } from "../lib/format";
import { displayNameOf } from "../lib/people";
import { dmPath, roomPath, threadPath } from "../lib/router";
import { now } from "../state/clock";
import { showConversationTitle } from "../state/pageTitle";
import { useWorkspace } from "../state/workspace";
import { Avatar } from "../ui/Avatar";
import { Link } from "../ui/Link";
import "../components/threads.css";

/**
 * `/threads`: the threads I follow (I started, replied to or was mentioned in them), from my index as
 * the server keeps it (`user:<id>` root `threads`): unread ones first, then by their last reply. Each
 * is a link to the thread beside its room; its name starts with who started it and where.
 */
export function ThreadsPage() {
  const workspace = useWorkspace();
  const list = createMemo(() => threadsForList(workspace.followedThreads()));
  showConversationTitle(() => "Threads");

  /** Where a thread is: "#general", a private room's name, or the other person of a DM. */
  const place = (roomId: string): { label: string; path: string } => {
    const pair = dmParticipants(roomId);
    if (pair) {
      const otherId = pair[0] === workspace.me.id ? pair[1] : pair[0];
      const username = workspace.userById().get(otherId)?.username;
      return username
        ? { label: `your direct messages with ${username}`, path: dmPath(username) }
        : { label: "a direct conversation", path: roomPath(roomId) };
    }
    const entry = workspace.indexEntry(roomId);
    const label = entry ? (entry.kind === "channel" ? `#${entry.name}` : entry.name) : "a room";
    return { label, path: roomPath(roomId) };
  };

  return (
    <section class="threads-page" aria-labelledby="threads-title">
      <div class="room-header">
        <div class="room-title-row">
          <h1 id="threads-title">Threads</h1>
        </div>
        <p class="room-topic">Threads you started, replied to or were mentioned in. Unread ones first.</p>
      </div>
      <div class="threads-scroll">
        <Show
          when={list().length > 0}
          fallback={
            <p class="empty-state">
              No threads yet. Reply to a message in a thread (“Reply in thread” on the message), and the
              thread shows here with its unread replies.
            </p>
          }
        >
          <ul class="thread-list">
            <For each={list()}>
              {(thread) => <ThreadEntry thread={thread} place={place(thread.roomId)} />}
            </For>
          </ul>
        </Show>
      </div>
    </section>
  );
}

function ThreadEntry(props: { thread: FollowedThread; place: { label: string; path: string } }) {
  const workspace = useWorkspace();
  const author = () => workspace.userById().get(props.thread.rootAuthor);
  const name = () => displayNameOf(author(), "unknown");
  return (
    <li>
      <Link
        class="thread-entry"
        classList={{ unread: props.thread.unread > 0 }}
        href={threadPath(props.place.path, props.thread.rootId)}
      >
        <Avatar user={author()} fallbackName={name()} color={workspace.colorFor(props.thread.rootAuthor)} />
        <span class="thread-entry-main">
          <span class="thread-entry-where">
            <span>
              <strong>{name()}</strong> in {props.place.label}
            </span>
            <UnreadBadges unread={props.thread.unread} mentions={props.thread.mentions} />
          </span>
          <span class="mention-preview">
            <Show when={props.thread.preview} fallback={<em>(no text)</em>}>
              <span class="visually-hidden">: </span>
              <For each={splitMentions(props.thread.preview, workspace.knownUsernames())}>
                {(part) => (part.mention ? <span class="mention">{part.text}</span> : part.text)}
              </For>
            </Show>
          </span>
          <span class="thread-entry-meta">
            {countLabel(props.thread.replies, "reply", "replies")}
            <span aria-hidden="true"> · </span>
            <span class="visually-hidden">, </span>
            last reply{" "}
            <time
              datetime={isoTime(props.thread.lastReplyAt)}
              title={formatLongTime(props.thread.lastReplyAt)}
            >
              {formatAgo(props.thread.lastReplyAt, now())}
            </time>
          </span>
        </span>
      </Link>
    </li>
  );
}
