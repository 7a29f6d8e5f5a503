import { appendMessage, createMessage, stampSequence } from "@chat/model";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { createPendingTracker } from "./pending";

describe("the pending count", () => {
  it("counts my unsequenced messages across open segments, and only those", () => {
    const tracker = createPendingTracker("me");
    const first = new Y.Doc();
    const second = new Y.Doc();
    const stopFirst = tracker.track("room:aaaaaaaaaaaaaaaa/0", first);
    tracker.track("room:bbbbbbbbbbbbbbbb/3", second);
    expect(tracker.track("user:aaaaaaaaaaaaaaaa", new Y.Doc())).toBeUndefined();
    expect(tracker.count()).toBe(0);

    appendMessage(first, createMessage("me", "one", 1, "m1"));
    appendMessage(first, createMessage("someone", "not mine", 2, "o1"));
    appendMessage(second, createMessage("me", "two", 3, "m2"));
    expect(tracker.count()).toBe(2);

    stampSequence(first, new Map([["m1", 1]]));
    expect(tracker.count()).toBe(1);

    // A segment loaded from the device with a pending message in it counts at once.
    const stored = new Y.Doc();
    appendMessage(stored, createMessage("me", "written offline", 4, "m3"));
    const loaded = new Y.Doc();
    tracker.track("room:cccccccccccccccc/0", loaded);
    Y.applyUpdate(loaded, Y.encodeStateAsUpdate(stored));
    expect(tracker.count()).toBe(2);

    stopFirst!();
    expect(tracker.count()).toBe(2);
  });
});
