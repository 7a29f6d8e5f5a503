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
import { Awareness } from "y-protocols/awareness";
import * as Y from "yjs";
import type { DocHandle, DocRegistry } from "../sync/docs";
import { feedSearch } from "./feeder";
import type { FedMessage } from "./protocol";

/**
 * The feeder against documents as the registry hands them out: real Y.Docs, counted references, no
 * socket (what arrives over the socket is written into the same documents here).
 */
function localRegistry() {
  const docs = new Map<string, { doc: Y.Doc; awareness: Awareness; refs: number }>();
  const registry: DocRegistry = {
    open(name) {
      let entry = docs.get(name);
      if (!entry) {
        const doc = new Y.Doc();
        entry = { doc, awareness: new Awareness(doc), refs: 0 };
        docs.set(name, entry);
      }
      entry.refs++;
      const held = entry;
      let released = false;
      const handle: DocHandle = {
        name,
        doc: held.doc,
        synced: () => true,
        refusal: () => null,
        interruption: () => null,
        awareness: held.awareness,
        loaded: () => true,
        whenLoaded: Promise.resolve(),
        release() {
          if (!released) held.refs--;
          released = true;
        },
      };
      return handle;
    },
    closeAll() {},
    pendingChanges: () => 0,
    openNames: () => [...docs.entries()].filter(([, entry]) => entry.refs > 0).map(([name]) => name),
    renewals: () => 0,
  };
  const doc = (name: string) => registry.open(name).doc;
  return { registry, doc, refs: (name: string) => docs.get(name)?.refs ?? 0 };
}

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
  const fed: Array<{ roomId: string; messages: FedMessage[] }> = [];
  const kept: string[][] = [];
  return {
    fed,
    kept,
    messages: (roomId: string, messages: FedMessage[]) => fed.push({ roomId, messages }),
    keepRooms: (roomIds: string[]) => kept.push([...roomIds].sort()),
  };
}

describe("feedSearch", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("feeds every segment of every room in the person's index, and what arrives later", () => {
    const { registry, doc, refs } = localRegistry();
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

    const feeder = feedSearch(registry, userIndex, out);
    expect(out.fed.map((batch) => batch.messages.map((m) => m.id)).sort()).toEqual([["m1"], ["m2"]]);
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
    const { registry, doc } = localRegistry();
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
    const feeder = feedSearch(registry, userIndex, out);

    segment.getArray("messages").delete(0, 1);
    vi.advanceTimersByTime(400);
    const last = out.fed.at(-1)!;
    expect(last.messages).toContainEqual({ id: "gone", deleted: true });
    expect(last.messages.some((m) => m.id === "kept" && !m.deleted)).toBe(true);
    feeder.stop();
  });

  it("does not prune rooms before the person's index is trusted", () => {
    const { registry } = localRegistry();
    const userIndex = registry.open(userDocName("u1"));
    const out = sink();
    const feeder = feedSearch(registry, { ...userIndex, synced: () => false }, out);
    expect(out.kept).toEqual([]);
    feeder.refresh(true);
    expect(out.kept).toEqual([[]]);
    feeder.stop();
  });
});
