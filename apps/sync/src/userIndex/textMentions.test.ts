import { createEventLine, createMessage, type MessageView } from "@chat/model";
import { describe, expect, it } from "vitest";
import { withMentionsFromText } from "./textMentions.ts";

const view = (record: ReturnType<typeof createMessage>, deleted = false): MessageView => ({
  ...record,
  seq: 1,
  at: record.createdAt,
  edited: false,
  deleted,
});

describe("withMentionsFromText", () => {
  it("reads who a message mentions from its text, never from the list stored beside it", () => {
    const forged = { ...createMessage("a", "just a harmless line"), mentions: ["carol"] };
    const honest = createMessage("a", "thanks @Bob.");
    const deleted = { ...createMessage("a", "hey @carol"), text: "" };
    const line = createEventLine("a", "alice added @carol", { type: "member-added", userId: "c" });
    const result = withMentionsFromText([view(forged), view(honest), view(deleted, true), view(line)]);
    expect(result.map((m) => m.mentions)).toEqual([[], ["bob"], [], []]);
  });
});
