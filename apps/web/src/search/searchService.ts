import { dmParticipants, type RoomKind, type SearchVocabulary } from "@chat/model";
import { type Accessor, createEffect, createMemo, createSignal, onCleanup } from "solid-js";
import { afterNextPaint } from "../lib/afterPaint";
import { dmPath, roomPath, threadPath } from "../lib/router";
import type { Workspace } from "../state/workspace";
import { feedSearch, type SearchFeeder } from "./feeder";
import { createSearchClient, type SearchClient } from "./searchClient";

/**
 * Search for the signed-in person, for as long as their workspace is mounted: the worker and the
 * feeder that keeps it up to date, plus what the results list needs to name rooms and people.
 */

export interface SearchableRoom {
  id: string;
  /** Room name; for a direct conversation, the other person's username. */
  name: string;
  kind: RoomKind;
  /** Where the room opens (`/r/<id>` or `/dm/<username>`). */
  path: string;
}

export interface SearchService {
  client: SearchClient;
  rooms: Accessor<ReadonlyMap<string, SearchableRoom>>;
  usernames: Accessor<ReadonlyMap<string, string>>;
  vocabulary: Accessor<SearchVocabulary>;
}

export function createSearchService(workspace: Workspace): SearchService {
  const client = createSearchClient(workspace.me.id);
  // The feeder opens every room and every history segment the person has (50 documents for a room
  // of 100,000 messages), so it starts after the first screen is painted, not while it renders: the
  // index saved on the device answers searches meanwhile.
  const [feeder, setFeeder] = createSignal<SearchFeeder | null>(null);
  let cancelIdle = () => {};
  const start = afterNextPaint(() => {
    // And when the page is idle: the room on screen decodes its newest segment first.
    const startFeeding = () =>
      setFeeder(feedSearch(workspace.registry, workspace.roomFollower, workspace.userIndex, client));
    if (typeof requestIdleCallback !== "function") return startFeeding();
    const idle = requestIdleCallback(startFeeding, { timeout: 500 });
    cancelIdle = () => cancelIdleCallback(idle);
  }, 1_000);
  // Once the person's index has synced, its room list is the truth: rooms no longer in it leave the index.
  createEffect(() => feeder()?.refresh(workspace.userIndex.synced()));
  onCleanup(() => {
    start();
    cancelIdle();
    feeder()?.stop();
    client.destroy();
  });

  // What the person's documents say now, over what was saved with the index (a cold start offline).
  const liveRooms = createMemo(() => {
    const byId = new Map<string, SearchableRoom>();
    for (const room of workspace.indexedRooms()) {
      const pair = dmParticipants(room.roomId);
      if (pair) {
        const otherId = pair[0] === workspace.me.id ? pair[1] : pair[0];
        const username = workspace.userById().get(otherId)?.username ?? room.name;
        byId.set(room.roomId, { id: room.roomId, name: username, kind: "dm", path: dmPath(username) });
      } else {
        byId.set(room.roomId, {
          id: room.roomId,
          name: room.name,
          kind: room.kind,
          path: roomPath(room.roomId),
        });
      }
    }
    return byId;
  });
  const rooms = createMemo(() => {
    const byId = new Map<string, SearchableRoom>();
    for (const room of client.savedNames()?.rooms ?? []) byId.set(room.id, room);
    for (const [id, room] of liveRooms()) byId.set(id, room);
    return byId;
  });
  const usernames = createMemo(() => {
    const byId = new Map<string, string>();
    for (const user of client.savedNames()?.users ?? []) byId.set(user.id, user.username);
    for (const user of workspace.users()) byId.set(user.id, user.username);
    return byId;
  });
  // Keep the saved names current (once the saved ones have loaded, so they are merged, not replaced).
  createEffect(() => {
    if (!client.status().ready || liveRooms().size + workspace.users().length === 0) return;
    client.saveNames({
      rooms: [...rooms().values()],
      users: [...usernames()].map(([id, username]) => ({ id, username })),
    });
  });

  const vocabulary = createMemo<SearchVocabulary>(() => ({
    me: workspace.me,
    users: [...usernames()].map(([id, username]) => ({ id, username })),
    rooms: [...rooms().values()],
  }));

  return { client, rooms, usernames, vocabulary };
}

/**
 * The link of a hit: its room, scrolled to the message (MessageList reads `?m=`); for a reply in a
 * thread, the thread beside its room, scrolled to the reply (ThreadPanel reads `?m=`).
 */
export function messagePath(room: SearchableRoom, messageId: string, threadRoot?: string): string {
  const where = threadRoot === undefined ? room.path : threadPath(room.path, threadRoot);
  return `${where}?m=${encodeURIComponent(messageId)}`;
}
