import { dmRoomId } from "@chat/model";
import { createMemo, createSignal, For, Show } from "solid-js";
import { Portal } from "solid-js/web";
import { displayNameOf, hasOwnDisplayName } from "../lib/people";
import { dmPath, path, roomPath } from "../lib/router";
import { type NavRoom, useWorkspace } from "../state/workspace";
import { Avatar } from "../ui/Avatar";
import { RoomGlyph } from "../ui/Icons";
import { Link } from "../ui/Link";
import { MentionsDialog } from "./MentionsDialog";
import { NewRoomDialog } from "./NewRoomDialog";
import { NotificationsToggle } from "./NotificationsToggle";
import { UnreadBadges } from "./UnreadBadges";
import "../rooms.css";

/**
 * The left nav: "Rooms" (the person's rooms from their index `user:<id>`, by last activity, then public
 * rooms not joined yet) with "New room", and "Direct messages" (everyone else in the directory, most
 * recent conversation first, shown by display name). Link names start with the room name or the username, then say
 * "N unread" and "N mentions"; glyphs and badges are aria-hidden so they never change a name.
 */
export function LeftNav(props: { open: boolean; onNavigate: () => void }) {
  const workspace = useWorkspace();
  const [creating, setCreating] = createSignal(false);
  const [showMentions, setShowMentions] = createSignal(false);
  // People I have talked to most recently first, then everyone else by name.
  const people = createMemo(() => {
    const activity = (id: string) => workspace.indexEntry(dmRoomId(workspace.me.id, id))?.lastActivity ?? 0;
    return workspace
      .users()
      .filter((user) => user.id !== workspace.me.id)
      .map((user) => ({ user, at: activity(user.id) }))
      .sort((a, b) => b.at - a.at || a.user.username.localeCompare(b.user.username))
      .map(({ user }) => user);
  });

  return (
    <aside id="sidebar" class="sidebar" classList={{ open: props.open }}>
      <div class="sidebar-scroll">
        <section class="sidebar-section" aria-labelledby="rooms-heading">
          <div class="section-head">
            <h2 id="rooms-heading">Rooms</h2>
            <button
              type="button"
              class="icon-button small"
              aria-label="New room"
              title="New room"
              onClick={() => setCreating(true)}
            >
              <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
                <path d="M12 5v14M5 12h14" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
              </svg>
            </button>
          </div>
          <nav aria-label="Rooms">
            <ul class="nav-list">
              <For
                each={workspace.navRooms()}
                fallback={<li class="nav-empty">No rooms yet. Create the first one.</li>}
              >
                {(room) => <RoomNavItem room={room} onNavigate={props.onNavigate} />}
              </For>
            </ul>
          </nav>
          {/* Archived rooms stay readable: collapsed at the end, open while one of them is shown. */}
          <Show when={workspace.archivedRooms().length > 0}>
            <details
              class="nav-archived"
              open={workspace.archivedRooms().some((room) => current(roomPath(room.id)) === "page")}
            >
              <summary class="nav-archived-summary">Archived ({workspace.archivedRooms().length})</summary>
              <nav aria-label="Archived">
                <ul class="nav-list">
                  <For each={workspace.archivedRooms()}>
                    {(room) => <RoomNavItem room={room} archived onNavigate={props.onNavigate} />}
                  </For>
                </ul>
              </nav>
            </details>
          </Show>
        </section>
        <section class="sidebar-section" aria-labelledby="dm-heading">
          <div class="section-head">
            <h2 id="dm-heading">Direct messages</h2>
          </div>
          <nav aria-label="Direct messages">
            <ul class="nav-list">
              <For each={people()} fallback={<li class="nav-empty">Nobody else is here yet.</li>}>
                {(person) => {
                  const entry = () => workspace.indexEntry(dmRoomId(workspace.me.id, person.id));
                  const online = () => workspace.online().has(person.id);
                  return (
                    <li>
                      <Link
                        class="nav-link"
                        classList={{ unread: (entry()?.unread ?? 0) > 0 }}
                        href={dmPath(person.username)}
                        aria-current={current(dmPath(person.username))}
                        onClick={() => props.onNavigate()}
                      >
                        <Avatar user={person} color={workspace.colorFor(person.id)} size="tiny">
                          <span class="presence-dot" classList={{ online: online() }} />
                        </Avatar>
                        {/* Named by the username first (the UI contract), then the display name shown. */}
                        <span class="nav-label" title={`@${person.username}`}>
                          <Show when={hasOwnDisplayName(person)} fallback={person.username}>
                            <span class="visually-hidden">{person.username}, </span>
                            {displayNameOf(person)}
                          </Show>
                        </span>
                        <UnreadBadges unread={entry()?.unread ?? 0} mentions={0} />
                        <Show when={online()}>
                          <span class="visually-hidden">, online</span>
                        </Show>
                      </Link>
                    </li>
                  );
                }}
              </For>
            </ul>
          </nav>
        </section>
      </div>
      <div class="sidebar-footer">
        <button
          type="button"
          class="button ghost small"
          aria-haspopup="dialog"
          onClick={() => setShowMentions(true)}
        >
          Mentions
        </button>
        <NotificationsToggle />
      </div>
      <Show when={showMentions()}>
        <Portal>
          <MentionsDialog onClose={() => setShowMentions(false)} onNavigate={() => props.onNavigate()} />
        </Portal>
      </Show>
      <Show when={creating()}>
        <Portal>
          <NewRoomDialog onClose={() => setCreating(false)} onCreated={() => props.onNavigate()} />
        </Portal>
      </Show>
    </aside>
  );
}

/** `aria-current` of a nav link: "page" when it leads where the person is. */
const current = (href: string) => (path() === href ? "page" : undefined);

/** One room in the nav: its glyph, its name, and its unread and mention badges. */
function RoomNavItem(props: { room: NavRoom; archived?: boolean; onNavigate: () => void }) {
  const href = () => roomPath(props.room.id);
  return (
    <li>
      <Link
        class="nav-link"
        classList={{
          unread: props.room.unread > 0 || props.room.mentions > 0,
          "not-joined": !props.room.joined,
          muted: props.room.muted,
          archived: props.archived === true,
        }}
        href={href()}
        aria-current={current(href())}
        onClick={() => props.onNavigate()}
      >
        <span class="nav-glyph" aria-hidden="true">
          <RoomGlyph kind={props.room.kind} />
        </span>
        <span class="nav-label">
          {props.room.name}
          {/* A public room from the directory: opening it shows a preview with "Join room". */}
          <Show when={!props.room.joined}>
            <span class="visually-hidden">, not joined</span>
          </Show>
          <Show when={props.room.muted}>
            <span class="visually-hidden">, muted</span>
          </Show>
        </span>
        <UnreadBadges unread={props.room.unread} mentions={props.room.mentions} />
      </Link>
    </li>
  );
}
