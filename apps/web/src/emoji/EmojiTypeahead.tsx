import { createSignal, For, Show } from "solid-js";
import { handleListKey } from "../ui/listKeys";
import {
  type Emoji,
  type EmojiSet,
  loadEmoji,
  noteEmojiUsed,
  searchEmoji,
  shortcodeQueryAt,
} from "./emojiData";

const SHOWN = 8;

/**
 * The ":" typeahead of a text box: after ":" and two characters ("":ta") it offers emoji whose
 * shortcode or name matches; ArrowUp/ArrowDown move, Enter or Tab picks (the shortcode becomes the
 * emoji), Escape closes. Typing the whole code with its closing colon (":tada:") turns it into the
 * emoji as well. The emoji set loads on the first ":" typed. Like the "@" typeahead, the box keeps its
 * textbox role and points at the list with aria-controls and aria-activedescendant.
 */
export function createEmojiTypeahead(options: {
  box: () => HTMLTextAreaElement;
  /** Called with the new text after the box's text changed here, so the owner's state follows. */
  onChange: (text: string) => void;
}) {
  const [set, setSet] = createSignal<EmojiSet | null>(null);
  const [query, setQuery] = createSignal<{ start: number; query: string } | null>(null);
  const [active, setActive] = createSignal(0);
  const [dismissedAt, setDismissedAt] = createSignal<number | null>(null);
  const suggestions = (): Emoji[] => {
    const current = query();
    const loaded = set();
    return current && loaded ? searchEmoji(loaded, current.query, SHOWN) : [];
  };
  const open = () => suggestions().length > 0;

  const replace = (start: number, end: number, native: string) => {
    const box = options.box();
    const text = `${box.value.slice(0, start)}${native}${box.value.slice(end)}`;
    box.value = text;
    const position = start + native.length;
    box.setSelectionRange(position, position);
    noteEmojiUsed(native);
    setQuery(null);
    options.onChange(text);
  };

  const refresh = () => {
    const box = options.box();
    const caret = box.selectionStart ?? box.value.length;
    // ":tada:" typed whole: the emoji at once.
    const whole = /(^|[\s(]):([a-z0-9_+-]{2,}):$/i.exec(box.value.slice(0, caret));
    const loaded = set();
    if (whole && loaded) {
      const emoji = loaded.byCode.get(whole[2]!.toLowerCase());
      if (emoji) return replace(caret - whole[2]!.length - 2, caret, emoji.native);
    }
    const found = shortcodeQueryAt(box.value, caret);
    if (found && !loaded)
      void loadEmoji().then((loadedNow) => {
        setSet(loadedNow);
        refresh();
      });
    if (found && found.start === dismissedAt()) return setQuery(null);
    setDismissedAt(null);
    setQuery(found);
    setActive(0);
  };

  const pick = (emoji: Emoji) => {
    const current = query();
    if (!current) return;
    const box = options.box();
    replace(current.start, box.selectionStart ?? box.value.length, emoji.native);
  };

  /** Returns true when the key was the typeahead's (the box must not act on it too). */
  const onKeyDown = (event: KeyboardEvent): boolean =>
    open() &&
    handleListKey(event, {
      count: suggestions().length,
      active: active(),
      move: setActive,
      pick: () => pick(suggestions()[active()]!),
      dismiss: () => {
        setDismissedAt(query()?.start ?? null);
        setQuery(null);
      },
    });

  const optionId = (index: number) => `emoji-option-${index}`;
  const boxAttributes = () =>
    open()
      ? {
          "aria-autocomplete": "list" as const,
          "aria-controls": "emoji-suggestions",
          "aria-activedescendant": optionId(active()),
        }
      : {};

  const view = () => (
    <Show when={open()}>
      <div class="typeahead" id="emoji-suggestions" role="listbox" aria-label="Emoji suggestions">
        <For each={suggestions()}>
          {(emoji, index) => (
            <div
              id={optionId(index())}
              role="option"
              tabIndex={-1}
              aria-selected={index() === active()}
              classList={{ active: index() === active() }}
              onMouseDown={(event) => {
                event.preventDefault(); // keep focus in the box
                pick(emoji);
              }}
            >
              <span class="typeahead-emoji" aria-hidden="true">
                {emoji.native}
              </span>{" "}
              <span class="typeahead-name">:{emoji.id}:</span>
              <span class="visually-hidden"> {emoji.name}</span>
            </div>
          )}
        </For>
      </div>
    </Show>
  );

  return { refresh, onKeyDown, boxAttributes, view, open, close: () => setQuery(null) };
}
