import {
  appendMessage,
  createMessage,
  initRoom,
  putIndexedRoom,
  type RoomMeta,
  roomDocName,
  segmentDocName,
  userDocName,
} from "@chat/model";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { memoryRegistry } from "../sync/memoryRegistry";
import { followRooms } from "../sync/roomFollower";
import { feedSearch } from "./feeder";
import type { FedMessage } from "./protocol";

const meta = (id: string, kind: RoomMeta["kind"] = "channel"): RoomMeta => ({
  id,
  name: `room ${id}`,
  kind,
  topic: "",
  archived: false,
  createdBy: "u1",
  createdAt: 0,
});

function sink() {
  const fed: Array<{ roomId: string; segment: number; messages: FedMessage[] }> = [];
  const kept: string[][] = [];
  return {
    fed,
    kept,
    messages: (roomId: string, segment: number, messages: FedMessage[]) =>
      fed.push({ roomId, segment, messages }),
    keepRooms: (roomIds: string[]) => kept.push([...roomIds].sort()),
  };
}

describe("feedSearch", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("feeds every segment of every room in the person's index, and what arrives later", () => {
    const { registry, doc, refs } = memoryRegistry();
    const userIndex = registry.open(userDocName("u1"));
    initRoom(doc(roomDocName("ra")), meta("ra"));
    doc(roomDocName("ra")).getArray<number>("segments").insert(1, [1]);
    appendMessage(doc(segmentDocName("ra", 0)), createMessage("u1", "old words", 1, "m1"));
    appendMessage(doc(segmentDocName("ra", 1)), createMessage("u2", "newer words", 2, "m2"));
    putIndexedRoom(userIndex.doc, {
      roomId: "ra",
      name: "a",
      kind: "private",
      lastActivity: 0,
      unread: 0,
      mentions: 0,
      archived: false,
    });
    const out = sink();

    const feeder = feedSearch(registry, followRooms(registry, userIndex), userIndex, out);
    expect(out.fed.map((batch) => batch.messages.map((m) => m.id)).sort()).toEqual([["m1"], ["m2"]]);
    // Each batch names its segment: the index keeps a shard per segment.
    expect(out.fed.map((batch) => `${batch.segment}:${batch.messages[0]!.id}`).sort()).toEqual([
      "0:m1",
      "1:m2",
    ]);
    expect(out.kept).toEqual([["ra"]]);

    // A room joined later, and a message in it, are fed (after the debounce).
    initRoom(doc(roomDocName("rb")), meta("rb"));
    putIndexedRoom(userIndex.doc, {
      roomId: "rb",
      name: "b",
      kind: "channel",
      lastActivity: 0,
      unread: 0,
      mentions: 0,
      archived: false,
    });
    appendMessage(doc(segmentDocName("rb", 0)), createMessage("u2", "hello there", 3, "m3"));
    vi.advanceTimersByTime(400);
    expect(out.fed.some((batch) => batch.roomId === "rb" && batch.messages.some((m) => m.id === "m3"))).toBe(
      true,
    );
    expect(out.kept.at(-1)).toEqual(["ra", "rb"]);

    // It holds what it feeds from, and gives it all back when stopped.
    expect(refs(segmentDocName("ra", 1))).toBeGreaterThan(1);
    const before = refs(segmentDocName("ra", 1));
    feeder.stop();
    expect(refs(segmentDocName("ra", 1))).toBe(before - 1);
  });

  it("feeds a message that disappeared from the list as deleted", () => {
    const { registry, doc } = memoryRegistry();
    const userIndex = registry.open(userDocName("u1"));
    initRoom(doc(roomDocName("ra")), meta("ra"));
    const segment = doc(segmentDocName("ra", 0));
    appendMessage(segment, createMessage("u1", "short lived", 1, "gone"));
    appendMessage(segment, createMessage("u1", "stays", 2, "kept"));
    putIndexedRoom(userIndex.doc, {
      roomId: "ra",
      name: "a",
      kind: "channel",
      lastActivity: 0,
      unread: 0,
      mentions: 0,
      archived: false,
    });
    const out = sink();
    const feeder = feedSearch(registry, followRooms(registry, userIndex), userIndex, out);

    segment.getArray("messages").delete(0, 1);
    vi.advanceTimersByTime(400);
    const last = out.fed.at(-1)!;
    expect(last.messages).toContainEqual({ id: "gone", deleted: true });
    expect(last.messages.some((m) => m.id === "kept" && !m.deleted)).toBe(true);
    feeder.stop();
  });

  it("does not prune rooms before the person's index is trusted", () => {
    const { registry } = memoryRegistry();
    const userIndex = registry.open(userDocName("u1"));
    const out = sink();
    const untrusted = { ...userIndex, synced: () => false };
    const feeder = feedSearch(registry, followRooms(registry, untrusted), untrusted, out);
    expect(out.kept).toEqual([]);
    feeder.refresh(true);
    expect(out.kept).toEqual([[]]);
    feeder.stop();
  });
});
