import { dmRoomId, roomsByActivity } from "@chat/model";
import { createMemo, createSignal, For, Show } from "solid-js";
import { fuzzyScore, matchKind } from "../lib/fuzzy";
import { displayNameOf, hasOwnDisplayName } from "../lib/people";
import { dmPath, navigate, roomPath } from "../lib/router";
import { type NavRoom, useWorkspace } from "../state/workspace";
import { RoomGlyph } from "../ui/Icons";
import { Modal } from "../ui/Modal";
import "./keyboard.css";

interface Destination {
  key: string;
  label: string;
  kind: "channel" | "private" | "dm" | "group";
  href: string;
  unread: number;
  /** What the row says besides its name ("archived", "not joined"). */
  note?: string;
  /** A person's display name, when it is more than their username: found by it too, and shown. */
  alias?: string;
}

/** A destination's match: by its name, or a person's display name, whichever fits better. */
function bestScore(entry: Destination, wanted: string): number | null {
  const byLabel = fuzzyScore(entry.label, wanted);
  const byAlias = entry.alias === undefined ? null : fuzzyScore(entry.alias, wanted);
  if (byLabel === null) return byAlias;
  return byAlias === null ? byLabel : Math.max(byLabel, byAlias);
}

/** How many rows the switcher shows: enough to choose from, few enough to read at a glance. */
const ROWS = 8;

/**
 * Dialog "Jump to" (Ctrl+K or Cmd+K): type part of a room's or a person's name, arrows to choose,
 * Enter to go. Everything it lists comes from the device (the person's index and the directory), so
 * it works offline. With nothing typed it lists the rooms with unread messages and the most recent.
 */
export function QuickSwitcher(props: { onClose: () => void; onNavigate: () => void }) {
  const workspace = useWorkspace();
  let dialog!: HTMLDialogElement;
  let input!: HTMLInputElement;
  const [query, setQuery] = createSignal("");
  const [active, setActive] = createSignal(0);

  const everything = createMemo<Destination[]>(() => {
    const room = (entry: NavRoom, note?: string): Destination => ({
      key: entry.id,
      label: entry.name,
      kind: entry.kind,
      href: roomPath(entry.id),
      unread: entry.unread,
      ...(note ? { note } : {}),
    });
    const rooms = workspace.navRooms().map((entry) => room(entry, entry.joined ? undefined : "not joined"));
    const archived = workspace.archivedRooms().map((entry) => room(entry, "archived"));
    const people: Destination[] = workspace
      .users()
      .filter((user) => user.id !== workspace.me.id)
      .map((user) => ({
        key: user.id,
        label: user.username,
        ...(hasOwnDisplayName(user) ? { alias: displayNameOf(user) } : {}),
        kind: "dm" as const,
        href: dmPath(user.username),
        unread: workspace.indexEntry(dmRoomId(workspace.me.id, user.id))?.unread ?? 0,
      }));
    // Group conversations, named by the others' usernames as in the nav.
    const groups: Destination[] = roomsByActivity(workspace.indexedRooms())
      .filter((entry) => entry.kind === "group")
      .map((entry) => ({
        key: entry.roomId,
        label: entry.name,
        kind: "group" as const,
        href: roomPath(entry.roomId),
        unread: entry.unread,
      }));
    return [...rooms, ...groups, ...people, ...archived];
  });

  const notJoined = (entry: Destination) => (entry.note === "not joined" ? 1 : 0);
  const shown = createMemo(() => {
    const wanted = query().trim();
    if (wanted === "") {
      // Unread first, then the rest in the nav's order (most recent activity first).
      const all = everything().filter((entry) => entry.note !== "archived");
      return [...all.filter((entry) => entry.unread > 0), ...all.filter((entry) => entry.unread === 0)].slice(
        0,
        ROWS,
      );
    }
    return (
      everything()
        .map((entry, order) => ({ entry, order, score: bestScore(entry, wanted) }))
        .filter((scored) => scored.score !== null)
        // Matches of the same kind (lib/fuzzy.ts matchKind: the name starts with it, a word does, it is
        // inside, the letters in order): one's own conversations before public rooms one has not
        // joined, as in Slack; then the closer match.
        .sort(
          (a, b) =>
            matchKind(b.score!) - matchKind(a.score!) ||
            notJoined(a.entry) - notJoined(b.entry) ||
            b.score! - a.score! ||
            a.order - b.order,
        )
        .slice(0, ROWS)
        .map((scored) => scored.entry)
    );
  });

  const go = (entry: Destination | undefined) => {
    if (!entry) return;
    dialog.close();
    props.onNavigate();
    navigate(entry.href);
  };
  const optionId = (index: number) => `jump-option-${index}`;

  return (
    <Modal
      ref={dialog}
      class="jump-dialog"
      labelledBy="jump-title"
      focus={() => input}
      onClose={props.onClose}
    >
      <div class="dialog-card">
        <h2 id="jump-title">Jump to</h2>
        <input
          ref={input}
          class="jump-input"
          type="text"
          role="combobox"
          aria-label="Room or person"
          aria-expanded={shown().length > 0}
          aria-controls="jump-options"
          aria-activedescendant={shown().length > 0 ? optionId(active()) : undefined}
          aria-autocomplete="list"
          autocomplete="off"
          placeholder="Room or person"
          value={query()}
          onInput={(event) => {
            setQuery(event.currentTarget.value);
            setActive(0);
          }}
          onKeyDown={(event) => {
            const count = shown().length;
            if (event.key === "ArrowDown" && count > 0) {
              event.preventDefault();
              setActive((active() + 1) % count);
            } else if (event.key === "ArrowUp" && count > 0) {
              event.preventDefault();
              setActive((active() - 1 + count) % count);
            } else if (event.key === "Enter") {
              event.preventDefault();
              go(shown()[active()]);
            }
          }}
        />
        <div id="jump-options" class="jump-options" role="listbox" aria-label="Rooms and people">
          <For each={shown()}>
            {(entry, index) => (
              <div
                id={optionId(index())}
                role="option"
                tabIndex={-1}
                class="jump-option"
                aria-selected={index() === active()}
                onMouseMove={() => setActive(index())}
                onMouseDown={(event) => {
                  event.preventDefault(); // keep focus in the box
                  go(entry);
                }}
              >
                <span class="nav-glyph" aria-hidden="true">
                  <Show when={entry.kind !== "dm" && entry.kind !== "group"} fallback="@">
                    <RoomGlyph kind={entry.kind} />
                  </Show>
                </span>
                <span class="jump-label">{entry.label}</span>
                <Show when={entry.alias}>
                  <span class="jump-note">{entry.alias}</span>
                </Show>
                <Show when={entry.note}>
                  <span class="jump-note">{entry.note}</span>
                </Show>
                <Show when={entry.unread > 0}>
                  <span class="jump-note">{entry.unread} unread</span>
                </Show>
              </div>
            )}
          </For>
        </div>
        <Show when={shown().length === 0}>
          <p class="dialog-intro">No room or person is called anything like “{query().trim()}”.</p>
        </Show>
      </div>
    </Modal>
  );
}
