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
