import {
  type IndexedRoom,
  initRoom,
  listSegments,
  putIndexedRoom,
  ROOTS,
  type RoomMeta,
  roomDocName,
  userDocName,
} from "@chat/model";
import { describe, expect, it } from "vitest";
import { memoryRegistry } from "./memoryRegistry";
import { followRooms, type RoomWatcher } from "./roomFollower";

const meta = (id: string): RoomMeta => ({
  id,
  name: `room ${id}`,
  kind: "channel",
  topic: "",
  archived: false,
  createdBy: "u1",
  createdAt: 0,
});

const entry = (roomId: string): IndexedRoom => ({
  roomId,
  name: roomId,
  kind: "channel",
  lastActivity: 0,
  unread: 0,
  mentions: 0,
  archived: false,
});

/** A watcher that writes down what it is told: "changed ra [0,1]", "left ra". */
function recorder(): RoomWatcher & { said: string[] } {
  const said: string[] = [];
  return {
    said,
    changed: (roomId, room) => said.push(`changed ${roomId} [${listSegments(room.doc).join(",")}]`),
    left: (roomId) => said.push(`left ${roomId}`),
  };
}

describe("the room follower", () => {
  it("follows each room of the index once for every watcher, with its segments, and lets go of it", () => {
    const { registry, doc, refs } = memoryRegistry();
    const index = registry.open(userDocName("u1"));
    const ra = doc(roomDocName("ra"));
    initRoom(ra, meta("ra"));
    putIndexedRoom(index.doc, entry("ra"));
    const held = (name: string) => refs(name) - 1; // less the test's own hold
    const follower = followRooms(registry, index);
    expect(held(roomDocName("ra"))).toBe(0); // nothing opened before someone watches

    const sync = recorder();
    const search = recorder();
    const stopSync = follower.watch(sync);
    const stopSearch = follower.watch(search);
    expect(sync.said).toEqual(["changed ra [0]"]);
    expect(search.said).toEqual(["changed ra [0]"]);
    expect(held(roomDocName("ra"))).toBe(1); // once for both

    ra.getArray<number>("segments").insert(1, [1]);
    initRoom(doc(roomDocName("rb")), meta("rb"));
    putIndexedRoom(index.doc, entry("rb"));
    // Leaving a room: the server removes it from the person's index.
    index.doc.getMap(ROOTS.user.rooms).delete("ra");
    expect(sync.said).toEqual(["changed ra [0]", "changed ra [0,1]", "changed rb [0]", "left ra"]);
    expect(search.said).toEqual(sync.said);
    expect(held(roomDocName("ra"))).toBe(0);
    expect(held(roomDocName("rb"))).toBe(1);

    stopSync();
    expect(held(roomDocName("rb"))).toBe(1); // search still watches
    stopSearch();
    expect(held(roomDocName("rb"))).toBe(0);
    follower.stop();
  });

  it("gives every room back when stopped, and tells nobody afterwards", () => {
    const { registry, doc, refs } = memoryRegistry();
    const index = registry.open(userDocName("u1"));
    initRoom(doc(roomDocName("ra")), meta("ra"));
    putIndexedRoom(index.doc, entry("ra"));
    const follower = followRooms(registry, index);
    const watcher = recorder();
    follower.watch(watcher);
    const before = refs(roomDocName("ra"));
    follower.stop();
    expect(refs(roomDocName("ra"))).toBe(before - 1);
    putIndexedRoom(index.doc, entry("rb"));
    expect(follower.watch(recorder())).toBeTypeOf("function");
    expect(watcher.said).toEqual(["changed ra [0]"]);
  });
});
