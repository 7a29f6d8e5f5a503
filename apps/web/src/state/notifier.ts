import { dmRoomId, type IndexedRoom, type MentionEntry } from "@chat/model";
import { type Accessor, createEffect, on } from "solid-js";
import { displayNameOf } from "../lib/people";
import { matchRoute, navigate, path, roomPath } from "../lib/router";
import type { Workspace } from "./workspace";

/**
 * Desktop notifications, once the person has turned them on (and the browser allowed them): a new
 * message in a room that is not in view, and a mention while the window is hidden. Everything comes
 * from the person's index, which the server updates within moments of a message.
 */
export const NOTIFICATIONS_KEY = "chat.notifications";

/** The room shown right now, or null (start page, or the window hidden). */
export function roomInView(workspace: Workspace): string | null {
  if (document.visibilityState !== "visible") return null;
  const route = matchRoute(path());
  if (route.name === "room") return route.roomId;
  if (route.name === "dm") {
    const other = workspace.users().find((user) => user.username === route.username.toLowerCase());
    return other ? dmRoomId(workspace.me.id, other.id) : null;
  }
  return null;
}

function titleFor(workspace: Workspace, entry: IndexedRoom): string {
  // A group conversation's index name is the others' usernames ("bob, carol").
  if (entry.kind === "group") return entry.name;
  if (entry.kind !== "dm") return `#${entry.name}`;
  const otherId = entry.roomId
    .replace(/^dm-/, "")
    .split("-")
    .find((id) => id !== workspace.me.id);
  return workspace.userById().get(otherId ?? "")?.username ?? "Direct message";
}

function hrefFor(workspace: Workspace, entry: IndexedRoom): string {
  return entry.kind === "dm"
    ? `/dm/${encodeURIComponent(titleFor(workspace, entry))}`
    : roomPath(entry.roomId);
}

function show(title: string, body: string, tag: string, href: string): void {
  try {
    const notification = new Notification(title, { body, tag });
    notification.onclick = () => {
      window.focus();
      navigate(href);
      notification.close();
    };
  } catch {
    // Some browsers (Android Chrome) only notify through a service worker: nothing to show here then.
  }
}

export function watchForNotifications(workspace: Workspace, enabled: Accessor<boolean>): void {
  let seenMentions: Set<string> | null = null;
  createEffect(
    on(
      () => workspace.mentions(),
      (mentions: MentionEntry[]) => {
        const fresh = seenMentions ? mentions.filter((m) => !seenMentions!.has(m.messageId)) : [];
        seenMentions = new Set(mentions.map((m) => m.messageId));
        if (!enabled() || document.visibilityState === "visible") return;
        for (const mention of fresh) {
          const entry = workspace.indexEntry(mention.roomId);
          const author = displayNameOf(workspace.userById().get(mention.author), "Someone");
          const where =
            entry?.kind === "group"
              ? ` in ${entry.name}`
              : entry && entry.kind !== "dm"
                ? ` in #${entry.name}`
                : "";
          show(
            `${author} mentioned you${where}`,
            mention.preview,
            `mention-${mention.messageId}`,
            entry ? hrefFor(workspace, entry) : "/",
          );
        }
      },
    ),
  );
  let previous = new Map<string, IndexedRoom>();
  createEffect(
    on(
      () => workspace.indexedRooms(),
      (entries: IndexedRoom[]) => {
        const before = previous;
        previous = new Map(entries.map((entry) => [entry.roomId, entry]));
        if (!enabled() || before.size === 0) return;
        const inView = roomInView(workspace);
        for (const entry of entries) {
          const old = before.get(entry.roomId);
          if (!old || entry.unread <= old.unread || entry.roomId === inView || entry.archived) continue;
          // A mention has its own notification (above) while the window is hidden.
          if (entry.mentions > old.mentions && document.visibilityState !== "visible") continue;
          const count = entry.unread - old.unread;
          show(
            titleFor(workspace, entry),
            count === 1 ? "1 new message" : `${count} new messages`,
            `room-${entry.roomId}`,
            hrefFor(workspace, entry),
          );
        }
      },
    ),
  );
}
