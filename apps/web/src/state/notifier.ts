import {
  dmRoomId,
  type FollowedThread,
  followedThreadKey,
  type IndexedRoom,
  isDoNotDisturbAt,
  listMessages,
  listSegments,
  type MentionEntry,
  type MessageView,
  roomDocName,
  segmentDocName,
  shouldNotify,
  showsInRoom,
} from "@chat/model";
import { type Accessor, createEffect, createSignal, on } from "solid-js";
import { displayNameOf } from "../lib/people";
import { matchRoute, navigate, path, roomPath, threadPath } from "../lib/router";
import type { DocHandle } from "../sync/docs";
import type { Notice } from "./notices";
import type { Workspace } from "./workspace";

/**
 * What calls the person when a message arrives in a room not in view: an in-app notice (always, while
 * the page is in view) and a desktop notification (once the person turned them on and the browser
 * allowed them; a mention while the window is hidden has its own). Both follow the room's level
 * ("All messages", "Mentions only", "Nothing": model notifyLevels.ts shouldNotify) and stay quiet
 * during do not disturb. A reply in a thread the person follows calls them the same way when the
 * thread is not the one in view (the rule's `followedThread`: a muted room only for a mention), as the
 * server's pushes do. Everything comes from the person's index, which the server updates within
 * moments of a message.
 */
export const NOTIFICATIONS_KEY = "chat.notifications";

/** Whether this device shows desktop notifications (NotificationsToggle turns it on and off). */
const [desktopNotifications, setDesktopNotifications] = createSignal(false);

export { desktopNotifications, setDesktopNotifications };

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

/** The thread shown beside its room right now (`${roomId}/${rootId}`), or null. */
function threadInView(workspace: Workspace): string | null {
  const roomId = roomInView(workspace);
  const route = matchRoute(path());
  if (roomId === null || (route.name !== "room" && route.name !== "dm") || !route.threadId) return null;
  return followedThreadKey(roomId, route.threadId);
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

/**
 * Whether a message in this room calls the person now: the room's level (for a reply in a thread they
 * follow, `followedThread`), then do not disturb.
 */
function calls(
  workspace: Workspace,
  entry: IndexedRoom,
  mentioned: boolean,
  followedThread?: boolean,
): boolean {
  const level = workspace.notifyLevel(entry.roomId, entry.kind);
  return (
    shouldNotify({ level, mentioned, kind: entry.kind, followedThread }) &&
    !isDoNotDisturbAt(workspace.doNotDisturb(), Date.now())
  );
}

export function watchForNotifications(
  workspace: Workspace,
  options: { desktop: Accessor<boolean>; notice: (notice: Notice) => void },
): void {
  let seenMentions: Set<string> | null = null;
  createEffect(
    on(
      () => workspace.mentions(),
      (mentions: MentionEntry[]) => {
        const fresh = seenMentions ? mentions.filter((m) => !seenMentions!.has(m.messageId)) : [];
        seenMentions = new Set(mentions.map((m) => m.messageId));
        if (!options.desktop() || document.visibilityState === "visible") return;
        for (const mention of fresh) {
          const entry = workspace.indexEntry(mention.roomId);
          if (entry && !calls(workspace, entry, true)) continue;
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
        if (before.size === 0) return;
        const inView = roomInView(workspace);
        for (const entry of entries) {
          const old = before.get(entry.roomId);
          if (!old || entry.unread <= old.unread || entry.roomId === inView || entry.archived) continue;
          const mentioned = entry.mentions > old.mentions;
          if (!calls(workspace, entry, mentioned)) continue;
          const count = entry.unread - old.unread;
          const countText = count === 1 ? "1 new message" : `${count} new messages`;
          const href = hrefFor(workspace, entry);
          if (document.visibilityState === "visible")
            void previewOf(workspace, entry.roomId, mentioned).then((preview) =>
              options.notice({
                roomId: entry.roomId,
                title: titleFor(workspace, entry),
                preview: preview ?? countText,
                href,
              }),
            );
          // A mention has its own desktop notification (above) while the window is hidden.
          if (!options.desktop() || (mentioned && document.visibilityState !== "visible")) continue;
          show(titleFor(workspace, entry), countText, `room-${entry.roomId}`, href);
        }
      },
    ),
  );
}

/**
 * Followed threads whose unread count grew (model threads.ts, the index's `threads`): an in-app notice
 * "#general, in a thread" with the reply (or the root, while the reply is not on the device), opening
 * the thread, and a desktop notification if turned on. A thread gains its entry with its first reply,
 * so a new entry with unread replies counts too, once the index has caught up with the server (before
 * that, entries arriving are old news).
 */
export function watchFollowedThreads(
  workspace: Workspace,
  options: { desktop: Accessor<boolean>; notice: (notice: Notice) => void },
): void {
  let previous: Map<string, FollowedThread> | null = null;
  createEffect(
    on(
      () => [workspace.followedThreads(), workspace.userIndex.synced()] as const,
      ([threads, synced]) => {
        const before = previous;
        const current = new Map(
          threads.map((thread) => [followedThreadKey(thread.roomId, thread.rootId), thread]),
        );
        if (!synced) return;
        previous = current;
        if (before === null) return;
        const inView = threadInView(workspace);
        for (const [key, thread] of current) {
          const old = before.get(key);
          if (thread.unread <= (old?.unread ?? 0) || key === inView) continue;
          const entry = workspace.indexEntry(thread.roomId);
          if (!entry || entry.archived) continue;
          const mentioned = thread.mentions > (old?.mentions ?? 0);
          if (!calls(workspace, entry, mentioned, true)) continue;
          const count = thread.unread - (old?.unread ?? 0);
          const countText = count === 1 ? "1 new reply" : `${count} new replies`;
          const title = `${titleFor(workspace, entry)}, in a thread`;
          const href = threadPath(hrefFor(workspace, entry), thread.rootId);
          if (document.visibilityState === "visible")
            void replyPreviewOf(workspace, thread).then((preview) =>
              // Keyed by the room: a reply also sent to the room calls there too, and is one conversation.
              options.notice({ roomId: thread.roomId, title, preview: preview ?? countText, href }),
            );
          if (options.desktop()) show(title, countText, `thread-${key}`, href);
        }
      },
    ),
  );
}

/** How long the notice waits for the message's text to reach this device before it says "N new messages". */
const PREVIEW_WAIT_MS = 2_000;

/**
 * "alice: the build is red": the newest message someone else wrote in the room, read from its newest
 * history segment (held open by background sync, so usually there already), or the newest mention of
 * me there. Null when neither is on the device in time.
 */
async function previewOf(workspace: Workspace, roomId: string, mentioned: boolean): Promise<string | null> {
  if (mentioned) {
    const mention = workspace.mentions().find((m) => m.roomId === roomId);
    if (mention) return previewLine(workspace, mention.author, mention.preview);
  }
  // A reply kept in its thread is not the room's news.
  return newestPreview(workspace, roomId, showsInRoom);
}

/**
 * "bob: the noodle place": the thread's newest reply from someone else, read like a room's newest
 * message; else the root's start as the index has it ("alice: where do we eat?").
 */
async function replyPreviewOf(workspace: Workspace, thread: FollowedThread): Promise<string | null> {
  const reply = await newestPreview(workspace, thread.roomId, (m) => m.threadRoot === thread.rootId);
  if (reply) return reply;
  return thread.preview ? previewLine(workspace, thread.rootAuthor, thread.preview) : null;
}

function previewLine(workspace: Workspace, author: string, text: string): string {
  return `${displayNameOf(workspace.userById().get(author), "Someone")}: ${text.replace(/\s+/g, " ").trim()}`;
}

/** The newest numbered message of someone else that `wanted` picks in the room's newest segment. */
async function newestPreview(
  workspace: Workspace,
  roomId: string,
  wanted: (message: MessageView) => boolean,
): Promise<string | null> {
  const line = (author: string, text: string) => previewLine(workspace, author, text);
  const room = workspace.registry.open(roomDocName(roomId));
  try {
    await ready(room);
    const newest = listSegments(room.doc).at(-1);
    if (newest === undefined) return null;
    const segment = workspace.registry.open(segmentDocName(roomId, newest));
    try {
      await ready(segment);
      const theirs = listMessages(segment.doc).filter(
        (m) =>
          m.seq !== null && m.event === undefined && !m.deleted && m.author !== workspace.me.id && wanted(m),
      );
      const last = theirs.at(-1);
      return last ? line(last.author, last.text || "sent a file") : null;
    } finally {
      segment.release();
    }
  } finally {
    room.release();
  }
}

/** Resolves once the document is in step with the server, or after PREVIEW_WAIT_MS whatever it has. */
function ready(handle: DocHandle): Promise<void> {
  if (handle.synced()) return Promise.resolve();
  return new Promise((resolve) => {
    const started = performance.now();
    const check = () => {
      if (handle.synced() || performance.now() - started > PREVIEW_WAIT_MS) resolve();
      else setTimeout(check, 50);
    };
    check();
  });
}
