import { type MentionCandidate, mentionQueryAt, suggestPeople } from "@chat/model";
import { createSignal, For, Show } from "solid-js";
import { displayNameOf, hasOwnDisplayName } from "../lib/people";
import { handleListKey } from "../ui/listKeys";

/**
 * The "@" typeahead of a text box: after "@" it offers the people whose username or display name
 * matches (prefix matches first; picking one inserts their username); ArrowUp/ArrowDown move,
 * Enter or Tab picks, Escape closes. The box keeps its textbox role (tests and screen readers find
 * "Message"); it points at the list with aria-controls and at the highlighted option with
 * aria-activedescendant.
 */
export function createMentionTypeahead(options: {
  box: () => HTMLTextAreaElement;
  people: () => readonly MentionCandidate[];
  /** Called with the new text after a pick, so the owner's state follows. */
  onPick: (text: string) => void;
}) {
  const [query, setQuery] = createSignal<{ start: number; query: string } | null>(null);
  const [active, setActive] = createSignal(0);
  const [dismissedAt, setDismissedAt] = createSignal<number | null>(null);
  const suggestions = () => {
    const current = query();
    return current ? suggestPeople(options.people(), current.query) : [];
  };
  const open = () => suggestions().length > 0;

  const refresh = () => {
    const box = options.box();
    const found = mentionQueryAt(box.value, box.selectionStart ?? box.value.length);
    if (found && found.start === dismissedAt()) return setQuery(null);
    setDismissedAt(null);
    setQuery(found);
    setActive(0);
  };

  const pick = (username: string) => {
    const box = options.box();
    const current = query();
    if (!current) return;
    const caret = box.selectionStart ?? box.value.length;
    const text = `${box.value.slice(0, current.start)}@${username} ${box.value.slice(caret)}`;
    box.value = text;
    const position = current.start + username.length + 2;
    box.setSelectionRange(position, position);
    setQuery(null);
    options.onPick(text);
  };

  /** Returns true when the key was the typeahead's (the box must not act on it too). */
  const onKeyDown = (event: KeyboardEvent): boolean =>
    open() &&
    handleListKey(event, {
      count: suggestions().length,
      active: active(),
      move: setActive,
      pick: () => pick(suggestions()[active()]!.username),
      dismiss: () => {
        setDismissedAt(query()?.start ?? null);
        setQuery(null);
      },
    });

  const optionId = (index: number) => `mention-option-${index}`;
  // The composer stays a textbox (its name is what people and tests look for): aria-expanded belongs
  // to comboboxes, so the open list is told by aria-controls and the active option alone.
  const boxAttributes = () => ({
    "aria-autocomplete": "list" as const,
    "aria-controls": open() ? "mention-suggestions" : undefined,
    "aria-activedescendant": open() ? optionId(active()) : undefined,
  });

  const view = () => (
    <Show when={open()}>
      <div class="typeahead" id="mention-suggestions" role="listbox" aria-label="Mention suggestions">
        <For each={suggestions()}>
          {(person, index) => (
            <div
              id={optionId(index())}
              role="option"
              tabIndex={-1}
              aria-selected={index() === active()}
              classList={{ active: index() === active() }}
              onMouseDown={(event) => {
                event.preventDefault(); // keep focus in the box
                pick(person.username);
              }}
            >
              <Show when={hasOwnDisplayName(person)} fallback={`@${person.username}`}>
                <span class="typeahead-name">{displayNameOf(person)}</span>{" "}
                <span class="typeahead-handle">@{person.username}</span>
              </Show>
            </div>
          )}
        </For>
      </div>
    </Show>
  );

  return { refresh, onKeyDown, boxAttributes, view, close: () => setQuery(null) };
}
