import { dmRoomId, findUserByUsername, normalizeUsername, observeDirectory } from "@chat/model";
import { createMemo, Match, Switch } from "solid-js";
import { RoomView } from "../components/RoomView";
import { dmPath } from "../lib/router";
import { observed } from "../state/signals";
import { useWorkspace } from "../state/workspace";

/** `/dm/<username>`: the direct conversation with that person (the server creates it on first open). */
export function DmPage(props: { username: string; threadId?: string }) {
  const workspace = useWorkspace();
  const wanted = () => normalizeUsername(props.username);
  const other = observed(workspace.directory.doc, observeDirectory, (doc) =>
    findUserByUsername(doc, wanted()),
  );
  const isMe = () => other()?.id === workspace.me.id;
  const roomId = createMemo(() => {
    const person = other();
    return person && !isMe() ? dmRoomId(workspace.me.id, person.id) : null;
  });

  return (
    <Switch>
      <Match when={isMe()}>
        <section class="room placeholder" aria-labelledby="room-title">
          <div class="room-header">
            <h1 id="room-title">{wanted()}</h1>
          </div>
          <div class="room-refused" role="alert">
            <p class="room-refused-title">This is you: a direct message needs someone else.</p>
            <p>To keep notes for yourself, create a private room and add no one.</p>
          </div>
        </section>
      </Match>
      <Match when={roomId()} keyed>
        {(id) => (
          <RoomView
            roomId={id}
            title={other()?.username ?? props.username}
            path={dmPath(other()?.username ?? props.username)}
            threadId={props.threadId}
          />
        )}
      </Match>
      <Match when={!workspace.directory.synced()}>
        <section class="room placeholder" aria-labelledby="room-title">
          <div class="room-header">
            <h1 id="room-title">{wanted()}</h1>
          </div>
          <p class="empty-state">Looking for {wanted()}…</p>
        </section>
      </Match>
      <Match when={true}>
        <section class="room placeholder" aria-labelledby="room-title">
          <div class="room-header">
            <h1 id="room-title">{wanted()}</h1>
          </div>
          <div class="room-refused" role="alert">
            <p class="room-refused-title">There is no one called “{wanted()}” here.</p>
            <p>Check the spelling, or pick someone under Direct messages.</p>
          </div>
        </section>
      </Match>
    </Switch>
  );
}
