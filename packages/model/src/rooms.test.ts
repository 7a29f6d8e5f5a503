import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import {
  groupConversationName,
  initRoom,
  isDirectConversation,
  listSegments,
  newestSegment,
  openNextSegment,
  type RoomMeta,
} from "./rooms.ts";
import { createReplicas, seededRandom, syncInRandomOrder } from "./testing.ts";

const meta: RoomMeta = {
  id: "r",
  name: "R",
  kind: "channel",
  topic: "",
  archived: false,
  createdBy: "u",
  createdAt: 0,
};

describe("history segments of a room", () => {
  it("opens the next segment only when the sealed one is the newest", () => {
    const doc = new Y.Doc();
    expect(openNextSegment(doc, 0)).toBeNull();
    initRoom(doc, meta);
    expect(openNextSegment(doc, 0)).toBe(1);
    expect(openNextSegment(doc, 0)).toBeNull();
    expect(listSegments(doc)).toEqual([0, 1]);
    expect(newestSegment(doc)).toBe(1);
  });

  it("lists each segment once when two servers sealed the same one concurrently", () => {
    const [a, b] = createReplicas(2);
    initRoom(a!, meta);
    syncInRandomOrder([a!, b!], seededRandom(3));
    openNextSegment(a!, 0);
    openNextSegment(b!, 0);
    syncInRandomOrder([a!, b!], seededRandom(4));
    expect(listSegments(a!)).toEqual([0, 1]);
    expect(newestSegment(b!)).toBe(1);
  });
});

describe("direct conversations", () => {
  it("a group is named by the others' usernames, sorted, whatever order they came in", () => {
    expect(groupConversationName(["carol", "bob"])).toBe("bob, carol");
    expect(groupConversationName(["bob", "carol"])).toBe("bob, carol");
  });
  it("DMs and group DMs are direct conversations; rooms are not", () => {
    expect(isDirectConversation("dm")).toBe(true);
    expect(isDirectConversation("group")).toBe(true);
    expect(isDirectConversation("private")).toBe(false);
    expect(isDirectConversation("channel")).toBe(false);
  });
});
