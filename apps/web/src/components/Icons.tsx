import { Show } from "solid-js";

/** Small decorative icons (always aria-hidden: they never change an accessible name). */

export function LockIcon(props: { size?: number }) {
  return (
    <svg
      class="icon"
      viewBox="0 0 24 24"
      width={props.size ?? 14}
      height={props.size ?? 14}
      aria-hidden="true"
      fill="none"
      stroke="currentColor"
      stroke-width="2.2"
      stroke-linecap="round"
    >
      <rect x="5" y="11" width="14" height="10" rx="2" />
      <path d="M8 11V8a4 4 0 0 1 8 0v3" />
    </svg>
  );
}

/** "#" for a public room, a padlock for a private one. */
export function RoomGlyph(props: { kind: "channel" | "private" | "dm"; size?: number }) {
  return (
    <Show when={props.kind === "private"} fallback="#">
      <LockIcon size={props.size} />
    </Show>
  );
}
