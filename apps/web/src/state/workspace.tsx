import {
  DIRECTORY_DOC,
  type DoNotDisturb,
  type FollowedThread,
  type IndexedRoom,
  isDirectConversation,
  listFollowedThreads,
  listIndexedRooms,
  listMentions,
  listPublicRooms,
  listUsers,
  type MentionEntry,
  type NotifyLevel,
  notifyPrefsOf,
  observeDirectory,
  observeFollowedThreads,
  observeIndex,
  observeNotifySettings,
  observeSettings,
  parseDocName,
  type RoomEntry,
  type RoomKind,
  resolveNotifyLevel,
  roomsByActivity,
  setDoNotDisturb,
  setNotifyLevel,
  THEME_SETTING,
  type Theme,
  themeOf,
  totalThreadUnread,
  totalUnread,
  type UserEntry,
  userDocName,
  writeSetting,
} from "@chat/model";
import {
  type Accessor,
  createContext,
  createEffect,
  createMemo,
  createSignal,
  type JSX,
  onCleanup,
  useContext,
} from "solid-js";
import { openFileOutbox } from "../device/fileOutbox";
import { withNavSnapshot } from "../device/navSnapshot";
import { forgetTail } from "../device/roomTail";
import { type User, uploadFile } from "../lib/api";
import { colorOf, workspaceSlots } from "../lib/avatarColors";
import { htmlForStorage } from "../lib/messageHtml";
import { exclusive, tabChannel } from "../lib/tabs";
import { applyTheme } from "../lib/theme";
import { type Connection, createConnection } from "../sync/connection";
import { createDeviceSync } from "../sync/deviceSync";
import { createDocRegistry, type DocHandle, type DocRegistry } from "../sync/docs";
import { createFileSender, type FileSender } from "../sync/fileSender";
import { followRooms, type RoomFollower } from "../sync/roomFollower";
import { keepTail } from "../sync/tailKeeper";
import { createPendingTracker } from "./pending";
import { onlineIds, reportInView } from "./presence";
import { markOutdated, sessionLost } from "./session";
import { observed, reuseUnchanged } from "./signals";

/**
 * Everything a signed-in person's screens share: the socket, the document registry, and the two
 * documents every screen reads (the `directory` and the person's own index `user:<id>`) as signals.
 * It lives exactly as long as the session: unmounting closes every document and the socket.
 */

export interface NavRoom {
  id: string;
  name: string;
  kind: "channel" | "private";
  unread: number;
  mentions: number;
  /** False for a public room the person has not joined yet (listed after their own rooms). */
  joined: boolean;
  /** Notifications "Nothing": dimmed, its unread count left out (its mentions still count). */
  muted: boolean;
}

/** A room of the person's index as the nav lists it (DMs are listed apart), at the level they chose. */
function navRoomOf(entry: IndexedRoom, level: NotifyLevel): NavRoom {
  const muted = level === "nothing";
  return {
    id: entry.roomId,
    name: entry.name,
    kind: entry.kind === "private" ? "private" : "channel",
    unread: muted ? 0 : entry.unread,
    mentions: entry.mentions,
    joined: true,
    muted,
  };
}

export interface Workspace {
  me: User;
  connection: Connection;
  registry: DocRegistry;
  directory: DocHandle;
  /** The person's own index document, `user:<id>` (model userIndex.ts): rooms, counts, mentions, drafts. */
  userIndex: DocHandle;
  /** Every room in the person's index and its segments, followed once for background sync and search. */
  roomFollower: RoomFollower;
  users: Accessor<UserEntry[]>;
  /** Everyone who can still sign in: whom the app offers to mention, add or start a conversation with. */
  activeUsers: Accessor<UserEntry[]>;
  userById: Accessor<ReadonlyMap<string, UserEntry>>;
  knownUsernames: Accessor<ReadonlySet<string>>;
  /** Everyone by username (mention chips show their display names). */
  userByUsername: Accessor<ReadonlyMap<string, UserEntry>>;
  /** Each person's avatar colour slot across the workspace (lib/avatarColors.ts). */
  colorSlots: Accessor<ReadonlyMap<string, number>>;
  /** A person's avatar colour: the same on every screen and device, distinct from others' where possible. */
  colorFor(userId: string): string;
  publicRooms: Accessor<RoomEntry[]>;
  indexedRooms: Accessor<IndexedRoom[]>;
  /**
   * The rooms of the left nav, from the person's index alone (no room document opened): their rooms by
   * last activity, then public rooms from the directory they have not joined, by name. Archived rooms
   * are left out.
   */
  navRooms: Accessor<NavRoom[]>;
  /** The person's archived rooms (DMs aside), by name: the nav's collapsed "Archived" group. */
  archivedRooms: Accessor<NavRoom[]>;
  /** The index entry of a room (a DM's too), for unread and mention counts. */
  indexEntry(roomId: string): IndexedRoom | undefined;
  /** Unread messages in every room (muted rooms: their mentions only): the tab title's number. */
  totalUnread: Accessor<number>;
  /** How a room calls the person (model notifyLevels.ts), from their index, on every device; reactive. */
  notifyLevel(roomId: string, kind: RoomKind): NotifyLevel;
  setNotifyLevel(roomId: string, level: NotifyLevel): void;
  /** The do-not-disturb schedule the person set, or null. */
  doNotDisturb: Accessor<DoNotDisturb | null>;
  setDoNotDisturb(dnd: DoNotDisturb | null): void;
  /** The messages that mentioned me, newest first. */
  mentions: Accessor<MentionEntry[]>;
  /** The threads I follow (started, replied to, mentioned in), from my index, as the server counts them. */
  followedThreads: Accessor<FollowedThread[]>;
  /** Unread replies across the threads I follow: the nav's "Threads" badge. */
  threadUnread: Accessor<number>;
  /** The tab title's number: unread in rooms and in followed threads (muted rooms: their mentions only). */
  titleUnread: Accessor<number>;
  /** Ids of the people online now. */
  online: Accessor<ReadonlySet<string>>;
  /**
   * How many of this person's things wait for the server: own messages not yet sequenced (those with
   * files waiting for their uploads too) plus other changes the server has not confirmed.
   */
  pendingCount: Accessor<number>;
  /** Messages with files, waiting on this device until their files are uploaded (sync/fileSender.ts). */
  files: FileSender;
  /** The last change the server refused (4403), which was removed from this device. */
  refusedChange: Accessor<{ document: string; explanation: string } | null>;
  /** The colour theme the person chose (their settings, on every device); "system" by default. */
  theme: Accessor<Theme>;
  setTheme(theme: Theme): void;
}

const WorkspaceContext = createContext<Workspace>();

export function useWorkspace(): Workspace {
  const workspace = useContext(WorkspaceContext);
  if (!workspace) throw new Error("useWorkspace outside <WorkspaceProvider>");
  return workspace;
}

export function WorkspaceProvider(props: { user: User; children: JSX.Element }) {
  const me = props.user;
  const connection = createConnection((because) => sessionLost(because ?? null));
  const pending = createPendingTracker(me.id);
  const [refusedChange, setRefusedChange] = createSignal<{ document: string; explanation: string } | null>(
    null,
  );
  const registry = createDocRegistry({
    socket: connection.socket,
    scope: me.id,
    onRefused: (_name, reason) => {
      if (reason === "unauthenticated") sessionLost();
      if (reason === "outdated-client") markOutdated();
    },
    onDocument: (name, doc) => pending.track(name, doc),
    onWriteRefused: (document, explanation) => setRefusedChange({ document, explanation }),
    // The documents drop their device copies themselves (sync/docs.ts); the room's cached tail goes too.
    onMembershipEnded: (name) => {
      const ref = parseDocName(name);
      if (ref?.kind === "room") forgetTail(me.id, ref.roomId);
    },
  });
  const directory = registry.open(DIRECTORY_DOC);
  const userIndex = registry.open(userDocName(me.id));
  reportInView(userIndex);
  const roomFollower = followRooms(registry, userIndex);
  const deviceSync = createDeviceSync(registry, roomFollower, (roomId, segment, isOnlySegment) =>
    keepTail(me.id, roomId, segment, isOnlySegment, (text) => htmlForStorage(text, knownUsernames())),
  );
  const files = createFileSender({
    author: me.id,
    registry,
    outbox: openFileOutbox(me.id),
    upload: uploadFile,
    exclusive,
    tabs: tabChannel(`chat-outbox:${me.id}`),
  });
  // Back online: waiting files go now rather than after the back-off.
  createEffect(() => {
    if (connection.state() === "online") files.wake();
  });
  onCleanup(() => {
    files.stop();
    deviceSync.stop();
    roomFollower.stop();
    registry.closeAll();
    connection.destroy();
  });
  // Ask the browser to keep the device copy under storage pressure (offline is the point of the app).
  void navigator.storage?.persist?.().catch(() => false);

  const notifyPrefs = observed(userIndex.doc, observeNotifySettings, notifyPrefsOf);
  // Until the directory and the index are read from the device, the nav is drawn from its snapshot.
  const fromDevice = withNavSnapshot(me.id, () => directory.loaded() && userIndex.loaded(), {
    users: observed(directory.doc, observeDirectory, listUsers),
    publicRooms: observed(directory.doc, observeDirectory, listPublicRooms),
    indexedRooms: observed(userIndex.doc, observeIndex, listIndexedRooms),
    notifyLevels: () => notifyPrefs().levels,
  });
  const allUsers = fromDevice.users;
  const users = createMemo<UserEntry[]>(
    (previous) =>
      reuseUnchanged(
        previous,
        allUsers(),
        (user) => user.id,
        (a, b) =>
          a.username === b.username &&
          a.displayName === b.displayName &&
          a.status === b.status &&
          a.avatar === b.avatar &&
          a.deactivated === b.deactivated,
      ),
    [],
  );
  const publicRooms = fromDevice.publicRooms;
  const indexedRooms = fromDevice.indexedRooms;
  const activeUsers = createMemo(() => users().filter((user) => !user.deactivated));
  const userById = createMemo(() => new Map(users().map((user) => [user.id, user])));
  const knownUsernames = createMemo(() => new Set(users().map((user) => user.username)));
  const userByUsername = createMemo(() => new Map(users().map((user) => [user.username, user])));
  // Who joined when changes rarely: colours are assigned again only when someone arrives or leaves.
  const colorSlots = createMemo(() => workspaceSlots(users()), new Map<string, number>(), {
    equals: (a, b) => a.size === b.size && [...a].every(([id, slot]) => b.get(id) === slot),
  });
  const indexById = createMemo(() => new Map(indexedRooms().map((entry) => [entry.roomId, entry])));
  const notifyLevel = (roomId: string, kind: RoomKind) =>
    resolveNotifyLevel(fromDevice.notifyLevels()[roomId], kind);
  // Archived rooms count nothing (the tab title leaves them out too).
  const archivedRooms = createMemo<NavRoom[]>(() =>
    indexedRooms()
      .filter((entry) => entry.archived && !isDirectConversation(entry.kind))
      .sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: "base" }))
      .map((entry) => ({ ...navRoomOf(entry, "all"), unread: 0, mentions: 0 })),
  );
  const navRooms = createMemo<NavRoom[]>((previous) => {
    const mine: NavRoom[] = roomsByActivity(indexedRooms())
      .filter((entry) => !isDirectConversation(entry.kind))
      .map((entry) => navRoomOf(entry, notifyLevel(entry.roomId, entry.kind)));
    const joinable: NavRoom[] = publicRooms()
      .filter((room) => !room.archived && !indexById().has(room.id))
      .sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: "base" }))
      .map((room) => ({
        id: room.id,
        name: room.name,
        kind: "channel",
        unread: 0,
        mentions: 0,
        joined: false,
        muted: false,
      }));
    return reuseUnchanged(
      previous,
      [...mine, ...joinable],
      (room) => room.id,
      (a, b) =>
        a.name === b.name &&
        a.kind === b.kind &&
        a.unread === b.unread &&
        a.mentions === b.mentions &&
        a.joined === b.joined &&
        a.muted === b.muted,
    );
  }, []);
  const totalUnreadCount = createMemo(() =>
    totalUnread(indexedRooms(), (entry) => notifyLevel(entry.roomId, entry.kind)),
  );
  const mentions = observed(userIndex.doc, observeIndex, listMentions);
  const followedThreads = observed(userIndex.doc, observeFollowedThreads, listFollowedThreads);
  const threadUnread = createMemo(() => totalThreadUnread(followedThreads()));
  // The tab title's number: the rooms' and the followed threads' (a thread counts as its room does:
  // a muted room's by its mentions, an archived room's not at all).
  const titleUnread = createMemo(
    () =>
      totalUnreadCount() +
      totalThreadUnread(followedThreads(), (thread) => {
        const entry = indexById().get(thread.roomId);
        return !entry || entry.archived ? null : notifyLevel(entry.roomId, entry.kind);
      }),
  );
  const online = onlineIds(directory, me);
  const theme = observed(userIndex.doc, observeSettings, themeOf);
  // Only once the index is read from the device: until then it says "system", and the page already
  // shows the theme this device remembered (lib/theme.ts).
  createEffect(() => {
    if (userIndex.loaded()) applyTheme(theme());
  });

  const workspace: Workspace = {
    me,
    connection,
    registry,
    directory,
    userIndex,
    roomFollower,
    users,
    activeUsers,
    userById,
    knownUsernames,
    userByUsername,
    colorSlots,
    colorFor: (userId) => colorOf(colorSlots(), userId),
    publicRooms,
    indexedRooms,
    navRooms,
    archivedRooms,
    indexEntry: (roomId) => indexById().get(roomId),
    totalUnread: totalUnreadCount,
    notifyLevel,
    setNotifyLevel: (roomId, level) => setNotifyLevel(userIndex.doc, roomId, level),
    doNotDisturb: () => notifyPrefs().dnd,
    setDoNotDisturb: (dnd) => setDoNotDisturb(userIndex.doc, dnd),
    mentions,
    followedThreads,
    threadUnread,
    titleUnread,
    online,
    pendingCount: () => pending.count() + registry.pendingChanges() + files.count(),
    files,
    refusedChange,
    theme,
    setTheme: (chosen) => writeSetting(userIndex.doc, THEME_SETTING, chosen),
  };
  return <WorkspaceContext.Provider value={workspace}>{props.children}</WorkspaceContext.Provider>;
}
