import { roomsByActivity } from "@chat/model";
import { createMemo, For } from "solid-js";
import { displayNameOf } from "../lib/people";
import { path, roomPath } from "../lib/router";
import { useWorkspace } from "../state/workspace";
import { PeopleIcon } from "../ui/Icons";
import { Link } from "../ui/Link";
import { UnreadBadges } from "./UnreadBadges";
import "./newMessage.css";

/**
 * The group conversations under Direct messages, most recent first, from the person's index alone.
 * Each link is named by the others' usernames joined by ", " (the name the server gives the entry,
 * model groupConversationName), then "N unread" like a DM; display names are in the tooltip. Usernames
 * hold no ", ", so a name without one is a group the others but one (or all) have left.
 */
export function GroupConversationLinks(props: { onNavigate: () => void }) {
  const workspace = useWorkspace();
  const groups = createMemo(() =>
    roomsByActivity(workspace.indexedRooms()).filter((entry) => entry.kind === "group"),
  );
  const displayNames = (usernames: string) =>
    usernames
      .split(", ")
      .map((username) => displayNameOf(workspace.userByUsername().get(username), username))
      .join(", ");

  return (
    <For each={groups()}>
      {(group) => {
        const href = () => roomPath(group.roomId);
        return (
          <li>
            <Link
              class="nav-link"
              classList={{ unread: group.unread > 0 }}
              href={href()}
              aria-current={path() === href() ? "page" : undefined}
              onClick={() => props.onNavigate()}
            >
              <span class="group-glyph" aria-hidden="true">
                <PeopleIcon size={14} />
              </span>
              <span class="nav-label" title={displayNames(group.name)}>
                {groupTitle(group.name)}
              </span>
              <UnreadBadges unread={group.unread} mentions={0} />
            </Link>
          </li>
        );
      }}
    </For>
  );
}

/**
 * A group conversation's heading: the others' usernames; "(group)" once only one other is left in it
 * (so it is not taken for the DM with them), "Only you (group)" once nobody is.
 */
export function groupTitle(name: string | undefined): string {
  if (name === undefined) return "Group conversation";
  return name.includes(", ") ? name : `${name || "Only you"} (group)`;
}

/** "New message" beside the Direct messages heading: opens the dialog "New direct message". */
export function NewMessageButton(props: { onClick: () => void }) {
  return (
    <button
      type="button"
      class="icon-button small"
      aria-label="New message"
      title="New message"
      aria-haspopup="dialog"
      onClick={() => props.onClick()}
    >
      <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
        <path
          d="M4 20h4L19 9l-4-4L4 16v4zM14 6l4 4"
          fill="none"
          stroke="currentColor"
          stroke-width="2"
          stroke-linejoin="round"
        />
      </svg>
    </button>
  );
}
