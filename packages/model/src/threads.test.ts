import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { deleteMessage } from "./edits.ts";
import {
  appendMessage,
  createMessage,
  isMessageRecord,
  listMessages,
  MessageRejected,
  stampSequence,
} from "./messages.ts";
import {
  countThreadUnread,
  createReply,
  listFollowedThreads,
  markThreadReadUpTo,
  putFollowedThread,
  showsInRoom,
  summarizeThreads,
  threadFollowers,
  threadReadPosition,
  threadRepliesOf,
  threadsForList,
  totalThreadUnread,
} from "./threads.ts";
import { countUnread } from "./unread.ts";

describe("threads", () => {
  it("builds replies that name their root, refuses what a message refuses, and keeps the record's shape strict", () => {
    const reply = createReply("bob", "yes @alice", "root1", { now: 5, id: "r1" });
    expect(reply).toEqual({
      id: "r1",
      author: "bob",
      createdAt: 5,
      text: "yes @alice",
      mentions: ["alice"],
      threadRoot: "root1",
    });
    expect(createReply("bob", "also", "root1", { alsoInRoom: true }).alsoInRoom).toBe(true);
    expect(() => createReply("bob", "  ", "root1")).toThrow(MessageRejected);
    expect(isMessageRecord(reply)).toBe(true);
    expect(isMessageRecord({ ...reply, alsoInRoom: true })).toBe(true);
    expect(isMessageRecord({ ...reply, alsoInRoom: false })).toBe(false);
    expect(isMessageRecord({ ...createMessage("bob", "x"), alsoInRoom: true })).toBe(false);
    expect(isMessageRecord({ ...reply, threadRoot: "" })).toBe(false);
    expect(isMessageRecord({ ...reply, threadRoot: reply.id })).toBe(false);
    expect(isMessageRecord({ ...reply, threadRoot: 7 })).toBe(false);
  });

  it("keeps replies out of the room's timeline and counts unless also sent to the room", () => {
    const doc = new Y.Doc();
    appendMessage(doc, createMessage("alice", "root", 1, "root"));
    appendMessage(doc, createReply("bob", "in thread @alice", "root", { now: 2, id: "r1" }));
    appendMessage(doc, createReply("bob", "to both", "root", { now: 3, id: "r2", alsoInRoom: true }));
    stampSequence(
      doc,
      new Map([
        ["root", 1],
        ["r1", 2],
        ["r2", 3],
      ]),
      100,
    );
    const views = listMessages(doc);
    expect(views.filter(showsInRoom).map((v) => v.id)).toEqual(["root", "r2"]);
    expect(countUnread(views, { id: "alice", username: "alice" }, 0)).toEqual({ unread: 1, mentions: 0 });
    expect(threadRepliesOf(views, "root").map((v) => v.id)).toEqual(["r1", "r2"]);
    expect(countThreadUnread(threadRepliesOf(views, "root"), { id: "alice", username: "alice" }, 0)).toEqual({
      unread: 2,
      mentions: 1,
    });
    expect(countThreadUnread(threadRepliesOf(views, "root"), { id: "alice", username: "alice" }, 2)).toEqual({
      unread: 1,
      mentions: 0,
    });
  });

  it("summarizes each thread: live replies, the newest time, who replied most recently first", () => {
    const doc = new Y.Doc();
    appendMessage(doc, createMessage("alice", "root", 1, "root"));
    appendMessage(doc, createReply("bob", "one", "root", { now: 2, id: "r1" }));
    appendMessage(doc, createReply("carol", "two", "root", { now: 3, id: "r2" }));
    appendMessage(doc, createReply("bob", "three", "root", { now: 4, id: "r3" }));
    appendMessage(doc, createReply("dave", "gone", "root", { now: 5, id: "r4" }));
    deleteMessage(doc, { id: "r4", author: "dave" }, "dave");
    const summary = summarizeThreads(listMessages(doc)).get("root");
    expect(summary).toEqual({ count: 3, lastAt: 4, repliers: ["bob", "carol"] });
    expect(summarizeThreads(listMessages(doc)).has("r1")).toBe(false);
  });

  it("moves a thread's read position forward only, per person and thread", () => {
    const doc = new Y.Doc();
    expect(markThreadReadUpTo(doc, "bob", "root", 4)).toBe(true);
    expect(markThreadReadUpTo(doc, "bob", "root", 3)).toBe(false);
    expect(threadReadPosition(doc, "bob", "root")).toBe(4);
    expect(threadReadPosition(doc, "bob", "other")).toBe(0);
    expect(threadReadPosition(doc, "alice", "root")).toBe(0);
  });

  it("names the followers: the root's author, repliers and everyone mentioned", () => {
    const followers = threadFollowers({ author: "a", mentions: ["carol"] }, [
      { author: "b", mentions: [] },
      { author: "a", mentions: ["dave"] },
    ]);
    expect([...followers.userIds]).toEqual(["a", "b"]);
    expect([...followers.usernames]).toEqual(["carol", "dave"]);
  });

  it("lists followed threads unread first, then by the newest reply, and totals their unread", () => {
    const doc = new Y.Doc();
    const base = { roomId: "room", replies: 1, mentions: 0, preview: "p", rootAuthor: "a" };
    putFollowedThread(doc, { ...base, rootId: "t1", lastReplyAt: 30, unread: 0 });
    putFollowedThread(doc, { ...base, rootId: "t2", lastReplyAt: 10, unread: 2 });
    putFollowedThread(doc, { ...base, rootId: "t3", lastReplyAt: 20, unread: 1 });
    expect(putFollowedThread(doc, { ...base, rootId: "t3", lastReplyAt: 20, unread: 1 })).toBe(false);
    const entries = listFollowedThreads(doc);
    expect(threadsForList(entries).map((e) => e.rootId)).toEqual(["t3", "t2", "t1"]);
    expect(totalThreadUnread(entries)).toBe(3);
  });

  it("counts for the tab title: a muted room's threads by their mentions, a room left out not at all", () => {
    const base = { replies: 3, lastReplyAt: 1, preview: "p", rootAuthor: "a" };
    const entries = [
      { ...base, roomId: "loud", rootId: "t1", unread: 3, mentions: 1 },
      { ...base, roomId: "muted", rootId: "t2", unread: 4, mentions: 1 },
      { ...base, roomId: "archived", rootId: "t3", unread: 5, mentions: 2 },
    ];
    const levels = { loud: "mentions", muted: "nothing", archived: null } as const;
    expect(totalThreadUnread(entries, (entry) => levels[entry.roomId as keyof typeof levels])).toBe(4);
    expect(totalThreadUnread(entries)).toBe(12);
  });
});
