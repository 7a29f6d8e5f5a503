import type { IndexedRoom, NotifyLevel, RoomEntry, UserEntry } from "@chat/model";
import { type Accessor, createEffect, onCleanup } from "solid-js";

/**
 * What the left nav is drawn from (people and public rooms of the directory, the person's own room
 * index), kept in localStorage so a cold start draws the nav synchronously, before IndexedDB has
 * opened (~100 ms in a fresh page). It stands in only until both documents are read from the device,
 * and is rewritten from them afterwards. Removed on sign-out.
 */
export interface NavSources {
  users: Accessor<UserEntry[]>;
  publicRooms: Accessor<RoomEntry[]>;
  indexedRooms: Accessor<IndexedRoom[]>;
  /** The rooms' chosen notification levels (a muted room is drawn dimmed, without its count). */
  notifyLevels: Accessor<Record<string, NotifyLevel>>;
}

interface Snapshot {
  users: UserEntry[];
  publicRooms: RoomEntry[];
  indexedRooms: IndexedRoom[];
  notifyLevels: Record<string, NotifyLevel>;
}

const PREFIX = "chat.nav:";

function read(scope: string): Snapshot | null {
  try {
    const raw = localStorage.getItem(PREFIX + scope);
    if (!raw) return null;
    const value = JSON.parse(raw) as Partial<Snapshot>;
    if (
      !Array.isArray(value.users) ||
      !Array.isArray(value.publicRooms) ||
      !Array.isArray(value.indexedRooms)
    )
      return null;
    // A snapshot kept before levels existed has none: every room at its default.
    if (typeof value.notifyLevels !== "object" || value.notifyLevels === null) value.notifyLevels = {};
    return value as Snapshot;
  } catch {
    return null;
  }
}

/** The live sources once `loaded()`; until then the last snapshot this device kept (if any). */
export function withNavSnapshot(scope: string, loaded: Accessor<boolean>, live: NavSources): NavSources {
  const snapshot = read(scope);
  let timer: ReturnType<typeof setTimeout> | undefined;
  createEffect(() => {
    if (!loaded()) return;
    const value: Snapshot = {
      users: live.users(),
      publicRooms: live.publicRooms(),
      indexedRooms: live.indexedRooms(),
      notifyLevels: live.notifyLevels(),
    };
    clearTimeout(timer);
    timer = setTimeout(() => {
      try {
        localStorage.setItem(PREFIX + scope, JSON.stringify(value));
      } catch {
        // Storage full or disabled: the nav still comes from IndexedDB, a little later.
      }
    }, 1_000);
  });
  onCleanup(() => clearTimeout(timer));
  const pick =
    <K extends keyof Snapshot>(key: K): Accessor<Snapshot[K]> =>
    () =>
      !loaded() && snapshot ? snapshot[key] : (live[key]() as Snapshot[K]);
  return {
    users: pick("users"),
    publicRooms: pick("publicRooms"),
    indexedRooms: pick("indexedRooms"),
    notifyLevels: pick("notifyLevels"),
  };
}

export function forgetNavSnapshot(scope: string): void {
  try {
    localStorage.removeItem(PREFIX + scope);
  } catch {
    // Nothing stored.
  }
}
