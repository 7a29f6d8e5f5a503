import { isDirectConversation } from "@chat/model";
import type { SearchResults as Results, RoomResults, SearchHit } from "@chat/model/search";
import { createComputed, createEffect, For, on, Show } from "solid-js";
import { formatLongTime, formatMessageTime, isoTime } from "../lib/format";
import { displayNameOf } from "../lib/people";
import { useWorkspace } from "../state/workspace";
import { Avatar } from "../ui/Avatar";
import { RoomGlyph } from "../ui/Icons";
import { Link } from "../ui/Link";
import { messagePath, type SearchableRoom } from "./searchService";

/**
 * The region "Search results": a heading per room (rooms in the order of their best hit), each hit a
 * link to the message with its author, time and a snippet whose matched words are marked.
 */
export function SearchResults(props: {
  results: Results;
  rooms: ReadonlyMap<string, SearchableRoom>;
  usernames: ReadonlyMap<string, string>;
  /** Narrows the search to one room ("Show all 12 in #design"). */
  onShowRoom: (room: SearchableRoom) => void;
  onChoose: () => void;
}) {
  keepFocusedHit(() => props.results);
  return (
    <For each={props.results.rooms}>
      {(group) => (
        <RoomGroup
          group={group}
          room={props.rooms.get(group.roomId)}
          usernames={props.usernames}
          atLeast={props.results.atLeast === true}
          onShowRoom={props.onShowRoom}
          onChoose={props.onChoose}
        />
      )}
    </For>
  );
}

function RoomGroup(props: {
  group: RoomResults;
  room: SearchableRoom | undefined;
  usernames: ReadonlyMap<string, string>;
  /** The room's total is a lower bound (older history was not counted): no number is given. */
  atLeast: boolean;
  onShowRoom: (room: SearchableRoom) => void;
  onChoose: () => void;
}) {
  const headingId = () => `search-room-${props.group.roomId}`;
  const more = () => props.group.total - props.group.hits.length;
  return (
    <section class="search-group" aria-labelledby={headingId()}>
      <h2 class="search-room" id={headingId()}>
        <span class="search-room-glyph" aria-hidden="true">
          <Show when={!isDirectConversation(props.room?.kind ?? "channel")} fallback="@">
            <RoomGlyph kind={props.room?.kind ?? "channel"} size={12} />
          </Show>
        </span>
        {props.room?.name ?? "Unknown room"}
      </h2>
      <ul class="search-hits">
        <For each={props.group.hits}>
          {(hit) => (
            <li>
              <Hit
                hit={hit}
                room={props.room}
                author={props.usernames.get(hit.author)}
                onChoose={props.onChoose}
              />
            </li>
          )}
        </For>
      </ul>
      <Show when={more() > 0 && props.room}>
        {(room) => (
          <button type="button" class="search-more" onClick={() => props.onShowRoom(room())}>
            Show all {props.atLeast ? "" : `${props.group.total} `}in{" "}
            {isDirectConversation(room().kind) ? "@" : "#"}
            {room().name}
          </button>
        )}
      </Show>
    </section>
  );
}

function Hit(props: {
  hit: SearchHit;
  room: SearchableRoom | undefined;
  author: string | undefined;
  onChoose: () => void;
}) {
  const workspace = useWorkspace();
  // Shown by display name, as in the room; someone no longer in the directory by the saved username.
  const person = () => workspace.userById().get(props.hit.author);
  const name = () => displayNameOf(person(), props.author ?? "unknown");
  const href = () => (props.room ? messagePath(props.room, props.hit.id, props.hit.threadRoot) : "#");
  return (
    <Link class="search-hit" href={href()} onClick={() => props.onChoose()} data-message-id={props.hit.id}>
      <Avatar
        user={person()}
        fallbackName={name()}
        color={workspace.colorFor(props.hit.author)}
        size="small"
      />
      <span class="search-hit-main">
        <span class="search-hit-meta">
          <span class="author">{name()}</span>{" "}
          <time datetime={isoTime(props.hit.createdAt)} title={formatLongTime(props.hit.createdAt)}>
            {formatMessageTime(props.hit.createdAt)}
          </time>
          <Show when={props.hit.threadRoot}>
            {" "}
            <span class="search-hit-thread">in a thread</span>
          </Show>
        </span>
        <span class="search-snippet">
          <For each={props.hit.snippet}>{(part) => (part.marked ? <mark>{part.text}</mark> : part.text)}</For>
        </span>
      </span>
    </Link>
  );
}

/**
 * New results are new objects, so every hit's element is drawn afresh: a person who pressed ArrowDown
 * onto a hit while the results for their last keystrokes were still coming would lose the focus to
 * the page. The hit they were on gets it back when it is among the new results.
 */
function keepFocusedHit(results: () => Results): void {
  let focused: string | null = null;
  // Before the new results replace the old elements: which hit has the focus.
  createComputed(
    on(results, () => {
      const active = document.activeElement;
      focused =
        active instanceof HTMLElement
          ? (active.closest(".search-hit")?.getAttribute("data-message-id") ?? null)
          : null;
    }),
  );
  // After: give it back, unless the focus went somewhere else meanwhile.
  createEffect(
    on(
      results,
      () => {
        if (focused === null || (document.activeElement && document.activeElement !== document.body)) return;
        document.querySelector<HTMLElement>(`.search-hit[data-message-id="${CSS.escape(focused)}"]`)?.focus();
      },
      { defer: true },
    ),
  );
}
