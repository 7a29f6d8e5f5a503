import { describe, expect, it } from "vitest";
import { joinNames, threadButtonLabel } from "./threadLabels";

describe("thread labels", () => {
  it("joins names the way a sentence does", () => {
    expect(joinNames([])).toBe("");
    expect(joinNames(["bob"])).toBe("bob");
    expect(joinNames(["bob", "carol"])).toBe("bob and carol");
    expect(joinNames(["bob", "carol", "dave"])).toBe("bob, carol and dave");
    expect(joinNames(["bob", "carol", "dave", "erin"])).toBe("bob, carol, dave and 1 other");
    expect(joinNames(["bob", "carol", "dave", "erin", "fay"])).toBe("bob, carol, dave and 2 others");
  });

  it("names a thread button by its count first, then who replied and when", () => {
    const now = new Date(2026, 10, 22, 15, 30).getTime();
    expect(threadButtonLabel(1, ["bob"], now - 3 * 60_000, now)).toBe(
      "1 reply from bob, last reply 3 min ago",
    );
    expect(threadButtonLabel(4, ["carol", "bob"], now - 10_000, now)).toBe(
      "4 replies from carol and bob, last reply just now",
    );
  });
});
