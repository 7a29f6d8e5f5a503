import type { UserEntry } from "@chat/model";

/**
 * How a person is shown: their display name, else their username (an entry written before profiles,
 * or a display name that is somehow blank). The username stays the handle: mentions, links, URLs.
 */
export function plainNameOf(
  user: Pick<UserEntry, "username" | "displayName"> | undefined,
  fallback = "someone",
) {
  return user?.displayName?.trim() || user?.username || fallback;
}

/**
 * How a person is shown wherever names show: their name (plainNameOf), and "NAME (deactivated)" once
 * the workspace admin deactivated the account (the directory says so); their messages stay.
 */
export function displayNameOf(
  user: Pick<UserEntry, "username" | "displayName" | "deactivated"> | undefined,
  fallback = "someone",
) {
  const name = plainNameOf(user, fallback);
  return user?.deactivated ? `${name} (deactivated)` : name;
}

/**
 * Whether the shown name says more than the username (then both are shown, the handle muted): a
 * display name of one's own, or "(deactivated)".
 */
export function hasOwnDisplayName(
  user: Pick<UserEntry, "username" | "displayName" | "deactivated"> | undefined,
): boolean {
  return !!user && displayNameOf(user, "") !== user.username;
}

/** Up to `max` letters for an avatar: the first letter of the first and last words ("Ada Lovelace": "AL"). */
export function initials(name: string, max = 2): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const first = words[0] ? [...words[0]][0] : undefined;
  if (!first) return "?";
  const last = words.length > 1 ? [...words[words.length - 1]!][0] : undefined;
  return (max > 1 && last ? first + last : first).toUpperCase();
}

/**
 * Rewrites the text of the mention chips under `root` (rendered Markdown: `<span class="mention"
 * data-username>`) to the person's display name, the handle in the tooltip. The rendered HTML itself
 * keeps "@username": it is cached and stored with room tails, and must not go stale when someone
 * renames themselves.
 */
export function labelMentionChips(root: ParentNode, byUsername: ReadonlyMap<string, UserEntry>): void {
  for (const chip of root.querySelectorAll<HTMLElement>(".mention[data-username]")) {
    const username = chip.dataset.username ?? "";
    const label = `@${displayNameOf(byUsername.get(username.toLowerCase()), username)}`;
    if (chip.textContent !== label) chip.textContent = label;
    chip.title = `@${username}`;
  }
}
