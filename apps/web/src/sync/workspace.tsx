import {
  DIRECTORY_DOC,
  type IndexedRoom,
  listIndexedRooms,
  listPublicRooms,
  listUsers,
  observeDirectory,
  observeIndex,
  type RoomEntry,
  type UserEntry,
  userDocName,
} from "@chat/model";
import {
  type Accessor,
  createContext,
  createEffect,
  createMemo,
  type JSX,
  onCleanup,
  useContext,
} from "solid-js";
import type { User } from "../api";
import { markOutdated, sessionLost } from "../session";
import { type Connection, createConnection } from "./connection";
import { createDeviceSync } from "./deviceSync";
import { createDocRegistry, type DocHandle, type DocRegistry } from "./docs";
import { withNavSnapshot } from "./navSnapshot";
import { createPendingTracker } from "./pending";
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
}

export interface Workspace {
  me: User;
  connection: Connection;
  registry: DocRegistry;
  directory: DocHandle;
  index: DocHandle;
  users: Accessor<UserEntry[]>;
  userById: Accessor<ReadonlyMap<string, UserEntry>>;
  knownUsernames: Accessor<ReadonlySet<string>>;
  publicRooms: Accessor<RoomEntry[]>;
  indexedRooms: Accessor<IndexedRoom[]>;
  /** The rooms of the left nav: public rooms plus the private rooms the person belongs to, by name. */
  navRooms: Accessor<NavRoom[]>;
  /** How many of this person's messages wait for the server (written offline, or not yet stored). */
  pendingCount: Accessor<number>;
}

const WorkspaceContext = createContext<Workspace>();

export function useWorkspace(): Workspace {
  const workspace = useContext(WorkspaceContext);
  if (!workspace) throw new Error("useWorkspace outside <WorkspaceProvider>");
  return workspace;
}

export function WorkspaceProvider(props: { user: User; children: JSX.Element }) {
  const me = props.user;
  const connection = createConnection(sessionLost);
  const pending = createPendingTracker(me.id);
  const registry = createDocRegistry({
    socket: connection.socket,
    scope: me.id,
    onRefused: (_name, reason) => {
      if (reason === "unauthenticated") sessionLost();
      if (reason === "outdated-client") markOutdated();
    },
    onDocument: (name, doc) => pending.track(name, doc),
  });
  const directory = registry.open(DIRECTORY_DOC);
  const index = registry.open(userDocName(me.id));
  const deviceSync = createDeviceSync(registry);
  onCleanup(() => {
    deviceSync.stop();
    registry.closeAll();
    connection.destroy();
  });
  // Ask the browser to keep the device copy under storage pressure (offline is the point of the app).
  void navigator.storage?.persist?.().catch(() => false);

  // Until the directory and the index are read from the device, the nav is drawn from its snapshot.
  const fromDevice = withNavSnapshot(me.id, () => directory.loaded() && index.loaded(), {
    users: observed(directory.doc, observeDirectory, listUsers),
    publicRooms: observed(directory.doc, observeDirectory, listPublicRooms),
    indexedRooms: observed(index.doc, observeIndex, listIndexedRooms),
  });
  const allUsers = fromDevice.users;
  const users = createMemo<UserEntry[]>(
    (previous) =>
      reuseUnchanged(
        previous,
        allUsers(),
        (user) => user.id,
        (a, b) => a.username === b.username && a.displayName === b.displayName,
      ),
    [],
  );
  const publicRooms = fromDevice.publicRooms;
  const indexedRooms = fromDevice.indexedRooms;
  createEffect(() => deviceSync.setRooms(indexedRooms().map((room) => room.roomId)));
  const userById = createMemo(() => new Map(users().map((user) => [user.id, user])));
  const knownUsernames = createMemo(() => new Set(users().map((user) => user.username)));
  const navRooms = createMemo<NavRoom[]>((previous) => {
    const rooms = new Map<string, NavRoom>();
    for (const room of publicRooms())
      if (!room.archived) rooms.set(room.id, { id: room.id, name: room.name, kind: "channel" });
    for (const room of indexedRooms())
      if (room.kind === "private")
        rooms.set(room.roomId, { id: room.roomId, name: room.name, kind: "private" });
    const sorted = [...rooms.values()].sort((a, b) =>
      a.name.localeCompare(b.name, undefined, { sensitivity: "base" }),
    );
    return reuseUnchanged(
      previous,
      sorted,
      (room) => room.id,
      (a, b) => a.name === b.name && a.kind === b.kind,
    );
  }, []);

  const workspace: Workspace = {
    me,
    connection,
    registry,
    directory,
    index,
    users,
    userById,
    knownUsernames,
    publicRooms,
    indexedRooms,
    navRooms,
    pendingCount: pending.count,
  };
  return <WorkspaceContext.Provider value={workspace}>{props.children}</WorkspaceContext.Provider>;
}
