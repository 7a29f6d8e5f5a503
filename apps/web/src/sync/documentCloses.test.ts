import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createReopener, documentClose, STABLE_OPEN_MS } from "./documentCloses";

describe("what a document's close means", () => {
  it("a refused write stays refused, whatever the socket does", () => {
    expect(documentClose("forbidden-write: a message in someone else's name", true)).toEqual({
      kind: "write-refused",
      explanation: "a message in someone else's name",
    });
    expect(documentClose("forbidden-write:", false)).toEqual({
      kind: "write-refused",
      explanation: "not allowed",
    });
  });

  it("a membership that ended is final: never reopened, whether or not the socket is still open", () => {
    expect(documentClose("membership-ended: you are no longer in this room", true)).toEqual({
      kind: "membership-ended",
      explanation: "you are no longer in this room",
    });
    expect(documentClose("membership-ended: you are no longer in this room", false)).toEqual({
      kind: "membership-ended",
      explanation: "you are no longer in this room",
    });
    expect(documentClose("membership-ended:", true)).toEqual({
      kind: "membership-ended",
      explanation: "you are no longer in this room",
    });
    // Only the prefix counts: a reason that merely mentions it is someone else's close.
    expect(documentClose("closed: membership-ended", true).kind).toBe("reopen");
  });

  it("a preview closed because the person joined is reopened at once, with nothing to tell", () => {
    expect(documentClose("membership-began: you joined this room", true)).toEqual({
      kind: "membership-began",
    });
    // The socket's own close is still the socket's: its reconnect reopens the document anyway.
    expect(documentClose("membership-began: you joined this room", false)).toEqual({ kind: "socket" });
  });

  it("anything else the server closes one document for is reopened, with the reason kept to tell", () => {
    for (const reason of [
      "forbidden-presence: presence too large",
      "update-too-large: 7000000 bytes, at most 6291456",
      "rate-limited: too many messages, wait 20 seconds",
      "Reset Connection",
    ])
      expect(documentClose(reason, true)).toEqual({ kind: "reopen", explanation: reason });
    expect(documentClose("", true)).toEqual({ kind: "reopen", explanation: "closed by the server" });
  });

  it("the socket's own close needs nothing per document: its reconnect reopens them all", () => {
    expect(documentClose("rate-limited: too many messages on this connection, slow down", false)).toEqual({
      kind: "socket",
    });
    expect(documentClose("", false)).toEqual({ kind: "socket" });
  });
});

describe("reopening a closed document", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("after a wait that grows while it is closed again at once, and starts over after a stable open", () => {
    let now = 0;
    const waits: number[] = [];
    let reopened = 0;
    const reopener = createReopener(() => reopened++, {
      delay: (failures) => {
        waits.push(failures);
        return failures * 1_000;
      },
      now: () => now,
    });
    reopener.closed();
    vi.advanceTimersByTime(999);
    expect(reopened).toBe(0);
    vi.advanceTimersByTime(1);
    expect(reopened).toBe(1);
    // Opened, and closed again at once (the same refusal coming back): a longer wait.
    reopener.opened();
    now += 100;
    reopener.closed();
    vi.advanceTimersByTime(2_000);
    expect(reopened).toBe(2);
    // Opened for a good while: the next close is a new story.
    reopener.opened();
    now += STABLE_OPEN_MS;
    reopener.closed();
    vi.advanceTimersByTime(1_000);
    expect(reopened).toBe(3);
    expect(waits).toEqual([1, 2, 1]);
  });

  it("two closes before the reopen reopen once; a cancelled one never", () => {
    let reopened = 0;
    const reopener = createReopener(() => reopened++, { delay: () => 1_000 });
    reopener.closed();
    reopener.closed();
    vi.advanceTimersByTime(5_000);
    expect(reopened).toBe(1);
    reopener.closed();
    reopener.cancel();
    vi.advanceTimersByTime(5_000);
    expect(reopened).toBe(1);
  });
});

describe("reopening at once", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("takes no wait and counts no failure, and replaces a reopen already waiting", () => {
    const waits: number[] = [];
    let reopened = 0;
    const reopener = createReopener(() => reopened++, {
      delay: (failures) => {
        waits.push(failures);
        return 1_000;
      },
    });
    reopener.closed();
    reopener.now();
    vi.advanceTimersByTime(0);
    expect(reopened).toBe(1);
    vi.advanceTimersByTime(1_000);
    expect(reopened).toBe(1);
    reopener.closed();
    expect(waits).toEqual([1, 2]);
  });
});
