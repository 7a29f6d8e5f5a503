import { appendMessage, createMessage } from "@chat/model";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { SegmentGrowth } from "./segmentGrowth.ts";

const growth = () => new SegmentGrowth({ messagesPerUpdate: 50 }, { segmentSlack: 10 }, 100);

function segmentOf(count: number): Y.Doc {
  const doc = new Y.Doc();
  for (let i = 0; i < count; i++) appendMessage(doc, createMessage("a", `m ${i}`));
  return doc;
}

describe("SegmentGrowth", () => {
  it("bounds the new messages of one update, whatever the segment holds", () => {
    const limits = growth();
    expect(limits.admit(segmentOf(0), {}, 50)).toBeNull();
    expect(limits.admit(segmentOf(0), {}, 51)).toBe("at most 50 new messages in one update, not 51");
    expect(limits.admit(segmentOf(0), {}, 0)).toBeNull();
  });

  it("keeps a segment within its capacity plus the slack, counting updates admitted and not yet applied", () => {
    const limits = growth();
    const doc = segmentOf(100);
    const [first, second] = [{}, {}];
    expect(limits.admit(doc, first, 6)).toBeNull();
    // Judged while the first is still on its way to the document: both would make 112.
    expect(limits.admit(doc, second, 6)).toMatch(/this history segment is full \(at most 110 messages\)/);
    expect(limits.admit(doc, second, 4)).toBeNull();
    limits.release(first);
    limits.release(second);
    // Released without being applied (refused further on): the room is free again.
    expect(limits.admit(doc, first, 10)).toBeNull();
    expect(limits.admit(doc, second, 1)).toMatch(/full/);
    limits.release(first);
    for (let i = 0; i < 10; i++) appendMessage(doc, createMessage("a", `applied ${i}`));
    expect(limits.admit(doc, first, 1)).toMatch(/full/);
  });
});
