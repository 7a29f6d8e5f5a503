import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import {
  type IndexedRoom,
  listMentions,
  MENTION_LIST_LIMIT,
  putMention,
  roomsByActivity,
  totalUnread,
} from "./userIndex.ts";

const entry = (roomId: string, lastActivity: number, unread = 0, archived = false): IndexedRoom => ({
  roomId,
  name: roomId,
  kind: "channel",
  lastActivity,
  unread,
  mentions: 0,
  archived,
});

describe("the per-user index", () => {
  it("orders the nav by last activity and leaves archived rooms out of it and of the total", () => {
    const rooms = [entry("a", 1, 2), entry("b", 3, 1), entry("c", 2, 5, true)];
    expect(roomsByActivity(rooms).map((r) => r.roomId)).toEqual(["b", "a"]);
    expect(totalUnread(rooms)).toBe(3);
  });
  it("counts only the mentions of a muted room in the total", () => {
    const muted = { ...entry("m", 4, 7), mentions: 2 };
    const rooms = [entry("a", 1, 2), muted];
    expect(totalUnread(rooms)).toBe(9);
    expect(totalUnread(rooms, (e) => (e.roomId === "m" ? "nothing" : "mentions"))).toBe(4);
  });
  it("keeps the newest mentions only, newest first", () => {
    const doc = new Y.Doc();
    for (let i = 0; i < MENTION_LIST_LIMIT + 5; i++)
      putMention(doc, {
        roomId: "r",
        messageId: `m${i}`,
        seq: i,
        author: "a",
        at: i,
        preview: "x".repeat(500),
      });
    const list = listMentions(doc);
    expect(list).toHaveLength(MENTION_LIST_LIMIT);
    expect(list[0]!.messageId).toBe(`m${MENTION_LIST_LIMIT + 4}`);
    expect(list.at(-1)!.messageId).toBe("m5");
    expect(list[0]!.preview.length).toBe(140);
  });
});
