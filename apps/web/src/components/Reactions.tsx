import { groupedReactions, observeReactions, type ReactionGroup, toggleReaction } from "@chat/model";
import { createEffect, createMemo, createSignal, For, onCleanup, onMount, Show } from "solid-js";
import type * as Y from "yjs";
import { EmojiPicker } from "../emoji/EmojiPicker";
import { SmileIcon } from "../ui/Icons";

/** The emoji the picker offers (any emoji can be a reaction; these are the common ones). */
export const PICKER_EMOJI = ["👍", "❤️", "😄", "🎉", "😮", "😢", "👀", "✅"] as const;

/** Where a message's reactions live and who is looking: the segment document that holds the message. */
export interface ReactionTarget {
  doc: Y.Doc;
  messageId: string;
  me: string;
  nameOf(userId: string): string;
}

/**
 * The reactions under a message: one chip per emoji ("👍 2"), pressed when one of them is mine, in the
 * order each emoji was first used. A click adds or takes back my reaction. Redraws only when this
 * message's reactions change.
 */
export function Reactions(props: { target: ReactionTarget; onError(message: string): void }) {
  const [groups, setGroups] = createSignal<ReactionGroup[]>([]);
  // The target object is remade as the list changes; only a different document, message or person
  // re-reads and re-subscribes.
  const doc = createMemo(() => props.target.doc);
  const messageId = createMemo(() => props.target.messageId);
  const me = createMemo(() => props.target.me);
  createEffect(() => {
    const [d, id, person] = [doc(), messageId(), me()];
    const read = () => setGroups(groupedReactions(d, id, person));
    read();
    onCleanup(observeReactions(d, (ids) => ids.has(id) && read()));
  });
  const toggle = (emoji: string) => {
    try {
      toggleReaction(props.target.doc, props.target.messageId, emoji, props.target.me);
    } catch (failure) {
      props.onError((failure as Error).message);
    }
  };
  const who = (group: ReactionGroup) =>
    group.users.map((id) => (id === props.target.me ? "you" : props.target.nameOf(id))).join(", ");
  return (
    <Show when={groups().length > 0}>
      <div class="reactions" role="group" aria-label="Reactions">
        <For each={groups()}>
          {(group) => (
            <button
              type="button"
              class="reaction"
              classList={{ mine: group.mine }}
              aria-pressed={group.mine}
              aria-label={`${group.emoji} ${group.count}${group.mine ? ", reacted by you" : ""}`}
              title={`Reacted by ${who(group)}`}
              onClick={() => toggle(group.emoji)}
            >
              <span class="reaction-emoji" aria-hidden="true">
                {group.emoji}
              </span>
              <span class="reaction-count" aria-hidden="true">
                {group.count}
              </span>
            </button>
          )}
        </For>
      </div>
    </Show>
  );
}

/**
 * The small picker that "Add reaction" opens: a group "Pick a reaction" of "React with 👍" buttons.
 * Focus moves into it on open; Escape closes it and `onClose` puts focus back; focus leaving it or a
 * press outside it closes it where the person went.
 */
export function ReactionPicker(props: { onPick(emoji: string): void; onClose(restoreFocus: boolean): void }) {
  let box!: HTMLDivElement;
  const [everyEmoji, setEveryEmoji] = createSignal(false);
  // Below the message's actions by default; where the message list's visible part ends before the
  // picker does (the last message, on a phone), above the message instead, so nothing is cut off.
  // Again when it grows into every emoji.
  const place = () => {
    box.classList.remove("above");
    const list = box.closest<HTMLElement>('[role="log"]');
    if (!list) return;
    const room = list.getBoundingClientRect();
    const picker = box.getBoundingClientRect();
    const message = (box.offsetParent ?? box.parentElement) as HTMLElement;
    const spaceAbove = message.getBoundingClientRect().top - room.top;
    if (picker.bottom > room.bottom && spaceAbove >= picker.height) box.classList.add("above");
    else if (picker.bottom > room.bottom) box.scrollIntoView({ block: "nearest" });
  };
  queueMicrotask(() => {
    if (!box) return;
    place();
    box.querySelector<HTMLButtonElement>("button")?.focus({ preventScroll: true });
  });
  // The whole set loads after "More reactions" is pressed: each change of size places it again.
  onMount(() => {
    let height = box.offsetHeight;
    const resized = new ResizeObserver(() => {
      if (box.offsetHeight === height) return;
      height = box.offsetHeight;
      place();
    });
    resized.observe(box);
    onCleanup(() => resized.disconnect());
  });
  // A press anywhere else closes it too (the opener toggles it itself).
  const outside = (event: PointerEvent) => {
    const target = event.target as Element | null;
    if (target && !box.contains(target) && !target.closest?.("[data-reaction-opener]")) props.onClose(false);
  };
  document.addEventListener("pointerdown", outside, true);
  onCleanup(() => document.removeEventListener("pointerdown", outside, true));
  return (
    <div
      ref={box}
      class="reaction-picker"
      role="group"
      aria-label="Pick a reaction"
      onKeyDown={(event) => {
        if (event.key === "Escape") {
          event.preventDefault();
          event.stopPropagation();
          props.onClose(true);
        } else if (!everyEmoji() && (event.key === "ArrowRight" || event.key === "ArrowLeft")) {
          const buttons = [...box.querySelectorAll<HTMLButtonElement>("button")];
          const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
          const step = event.key === "ArrowRight" ? 1 : -1;
          buttons[(at + step + buttons.length) % buttons.length]?.focus();
          event.preventDefault();
        }
      }}
      onFocusOut={(event) => {
        const next = event.relatedTarget as Node | null;
        if (next && !box.contains(next) && !(next as Element).closest?.("[data-reaction-opener]"))
          props.onClose(false);
      }}
    >
      <Show
        when={!everyEmoji()}
        fallback={
          <EmojiPicker
            label="Every emoji"
            onPick={(emoji) => props.onPick(emoji)}
            onClose={() => props.onClose(true)}
          />
        }
      >
        <For each={PICKER_EMOJI}>
          {(emoji) => (
            <button
              type="button"
              class="reaction-choice"
              aria-label={`React with ${emoji}`}
              title={`React with ${emoji}`}
              onClick={() => props.onPick(emoji)}
            >
              {emoji}
            </button>
          )}
        </For>
        {/* Any emoji can be a reaction: the whole set, in the same box (focus stays inside it). */}
        <button
          type="button"
          class="reaction-choice reaction-more"
          aria-label="More reactions"
          title="More reactions"
          onClick={() => setEveryEmoji(true)}
        >
          <SmileIcon size={18} />
        </button>
      </Show>
    </div>
  );
}
