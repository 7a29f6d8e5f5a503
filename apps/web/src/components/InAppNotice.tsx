import { onCleanup, onMount, Show } from "solid-js";
import type { Notices } from "../state/notices";
import { Link } from "../ui/Link";
import "./notify.css";

/**
 * The in-app notice (state/notices.ts): a `role=status` region, always in the page so screen readers
 * announce what appears in it, holding at most one notice: the room, a preview, and how many other
 * conversations called meanwhile. The notice is a link to the room; Escape or its close button
 * dismisses it (an Escape it takes does not also mark the room in view read, but a text box's,
 * menu's or list's own Escape still works).
 */
export function InAppNotice(props: { notices: Notices }) {
  onMount(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== "Escape" || !props.notices.current() || document.querySelector("dialog[open]"))
        return;
      props.notices.dismiss();
      // Taken where Escape would otherwise mark the room in view read; a text box, menu or list
      // keeps its own Escape (cancelling an edit, closing a list) too.
      const target = event.target as Element | null;
      if (!target?.closest("input, textarea, [contenteditable='true'], [role='menu'], [role='listbox']"))
        event.preventDefault();
    };
    // Capture: before the room's own Escape ("mark read") sees it.
    document.addEventListener("keydown", onKey, true);
    onCleanup(() => document.removeEventListener("keydown", onKey, true));
  });

  return (
    <div class="notice-region" role="status">
      <Show when={props.notices.current()}>
        {(notice) => (
          // biome-ignore lint/a11y/noStaticElementInteractions: hovering only pauses the countdown
          <div
            class="in-app-notice"
            onMouseEnter={() => props.notices.hold(true)}
            onMouseLeave={() => props.notices.hold(false)}
            onFocusIn={() => props.notices.hold(true)}
            onFocusOut={() => props.notices.hold(false)}
          >
            {/* Dismissed once the link has navigated (dismissing unmounts it, and it reads its href). */}
            <Link
              class="notice-link"
              href={notice().href}
              onClick={() => queueMicrotask(() => props.notices.dismiss())}
            >
              <span class="notice-title">{notice().title}</span>
              <span class="notice-preview">{notice().preview}</span>
              <Show when={notice().others > 0}>
                <span class="notice-more">
                  and {notice().others} other conversation{notice().others === 1 ? "" : "s"}
                </span>
              </Show>
            </Link>
            <button
              type="button"
              class="icon-button small notice-close"
              aria-label="Dismiss notification"
              title="Dismiss (Esc)"
              onClick={() => props.notices.dismiss()}
            >
              <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
                <path
                  d="M6 6l12 12M18 6L6 18"
                  stroke="currentColor"
                  stroke-width="2"
                  stroke-linecap="round"
                />
              </svg>
            </button>
          </div>
        )}
      </Show>
    </div>
  );
}
