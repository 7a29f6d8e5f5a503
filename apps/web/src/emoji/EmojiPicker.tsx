import { createMemo, createResource, createSignal, For, Show } from "solid-js";
import { type Emoji, loadEmoji, noteEmojiUsed, recentEmoji, searchEmoji } from "./emojiData";
import "./emoji.css";

const CATEGORY_NAMES: Record<string, string> = {
  people: "Smileys & people",
  nature: "Animals & nature",
  foods: "Food & drink",
  activity: "Activities",
  places: "Travel & places",
  objects: "Objects",
  symbols: "Symbols",
  flags: "Flags",
};

/** Columns of the grid: the arrow keys move by one, or by a row. */
const COLUMNS = 8;

/**
 * The emoji picker (group "Emoji"): a searchbox "Search emoji" (shortcodes, names, keywords), then the
 * emoji used last on this device, then every emoji by category; each a button named after it
 * ("Party Popper"). The set loads when the picker first opens. Arrow keys move through the grid,
 * Escape closes (`onClose`), a pick is remembered as recent and handed to `onPick`.
 */
export function EmojiPicker(props: { onPick(native: string): void; onClose(): void; label?: string }) {
  const [set] = createResource(loadEmoji);
  const [query, setQuery] = createSignal("");
  let grid!: HTMLDivElement;

  const sections = createMemo((): Array<{ title: string; emojis: readonly Emoji[] }> => {
    const loaded = set();
    if (!loaded) return [];
    const q = query().trim();
    if (q) return [{ title: "Results", emojis: searchEmoji(loaded, q, 120) }];
    const recent = recentEmoji().flatMap((native) => loaded.byNative.get(native) ?? []);
    return [
      ...(recent.length > 0 ? [{ title: "Recently used", emojis: recent }] : []),
      ...loaded.categories.map((category) => ({
        title: CATEGORY_NAMES[category.id] ?? category.id,
        emojis: category.emojis,
      })),
    ];
  });

  const pick = (emoji: Emoji) => {
    noteEmojiUsed(emoji.native);
    props.onPick(emoji.native);
  };

  const moveFocus = (event: KeyboardEvent) => {
    const steps: Record<string, number> = {
      ArrowRight: 1,
      ArrowLeft: -1,
      ArrowDown: COLUMNS,
      ArrowUp: -COLUMNS,
    };
    const step = steps[event.key];
    if (step === undefined) return;
    const buttons = [...grid.querySelectorAll<HTMLButtonElement>("button.emoji-choice")];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (at < 0) return;
    buttons[Math.min(buttons.length - 1, Math.max(0, at + step))]?.focus();
    event.preventDefault();
  };

  return (
    <div
      class="emoji-picker"
      role="group"
      aria-label={props.label ?? "Emoji"}
      onKeyDown={(event) => {
        if (event.key === "Escape") {
          event.preventDefault();
          event.stopPropagation();
          props.onClose();
        } else if (grid.contains(event.target as Node)) moveFocus(event);
      }}
    >
      <input
        type="search"
        class="emoji-search"
        aria-label="Search emoji"
        placeholder="Search emoji"
        autofocus
        ref={(input) => queueMicrotask(() => input.focus({ preventScroll: true }))}
        value={query()}
        onInput={(event) => setQuery(event.currentTarget.value)}
        onKeyDown={(event) => {
          if (event.key === "Enter") {
            // Enter in the search picks the first match, as in Slack.
            event.preventDefault();
            const first = sections()[0]?.emojis[0];
            if (first) pick(first);
          } else if (event.key === "ArrowDown") {
            event.preventDefault();
            grid.querySelector<HTMLButtonElement>("button.emoji-choice")?.focus();
          }
        }}
      />
      <div class="emoji-grid" ref={grid}>
        <Show when={!set.loading} fallback={<p class="emoji-status">Loading emoji…</p>}>
          <Show when={!set.error} fallback={<p class="emoji-status">The emoji could not be loaded.</p>}>
            <Show when={sections()[0]?.emojis.length} fallback={<p class="emoji-status">No emoji match.</p>}>
              <For each={sections()}>
                {(section) => (
                  <section class="emoji-section" aria-label={section.title}>
                    <h4 class="emoji-section-title">{section.title}</h4>
                    <div class="emoji-row">
                      <For each={section.emojis}>
                        {(emoji) => (
                          <button
                            type="button"
                            class="emoji-choice"
                            aria-label={emoji.name}
                            title={`${emoji.name} :${emoji.id}:`}
                            onClick={() => pick(emoji)}
                          >
                            {emoji.native}
                          </button>
                        )}
                      </For>
                    </div>
                  </section>
                )}
              </For>
            </Show>
          </Show>
        </Show>
      </div>
    </div>
  );
}
