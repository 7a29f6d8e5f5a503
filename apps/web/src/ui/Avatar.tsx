import type { UserEntry } from "@chat/model";
import { createSignal, type JSX, Show } from "solid-js";
import { initials, plainNameOf } from "../lib/people";

/**
 * A person's avatar: their picture (GET /api/avatars/<id>) when they have one and it loads, else
 * their initials on their colour (lib/avatarColors.ts). Decorative: the name is always beside it in
 * text, so it is hidden from screen readers.
 */
export function Avatar(props: {
  user: UserEntry | undefined;
  /** Shown when the person is not in the directory (yet). */
  fallbackName?: string;
  color: string;
  size?: "tiny" | "small" | "large";
  children?: JSX.Element;
}) {
  // A picture that cannot load (offline and never cached, or removed meanwhile) falls back to initials.
  const [failed, setFailed] = createSignal<string | null>(null);
  const picture = () => {
    const id = props.user?.avatar;
    return id && id !== failed() ? `/api/avatars/${id}` : null;
  };
  const name = () => plainNameOf(props.user, props.fallbackName ?? "?");
  return (
    <span
      class="avatar"
      classList={{ [props.size ?? "regular"]: true, picture: picture() !== null }}
      aria-hidden="true"
      style={{ "--avatar-bg": props.color }}
    >
      <Show when={picture()} fallback={initials(name(), props.size === "tiny" ? 1 : 2)}>
        {(src) => (
          <img
            src={src()}
            alt=""
            decoding="async"
            draggable={false}
            onError={() => setFailed(props.user?.avatar ?? null)}
          />
        )}
      </Show>
      {props.children}
    </span>
  );
}
