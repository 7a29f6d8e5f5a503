import { describe, expect, it } from "vitest";
import { dayKey, dayLabel } from "./days";

describe("day labels", () => {
  const now = new Date(2026, 10, 22, 9, 30);
  it("says Today, Yesterday, then the date", () => {
    expect(dayLabel(new Date(2026, 10, 22, 0, 1).getTime(), now)).toBe("Today");
    expect(dayLabel(new Date(2026, 10, 21, 23, 59).getTime(), now)).toBe("Yesterday");
    expect(dayLabel(new Date(2026, 10, 20, 12).getTime(), now)).toMatch(/20/);
    expect(dayLabel(new Date(2025, 0, 2).getTime(), now)).toMatch(/2025/);
  });
  it("crosses month boundaries", () => {
    const first = new Date(2026, 11, 1, 8);
    expect(dayLabel(new Date(2026, 10, 30, 22).getTime(), first)).toBe("Yesterday");
    expect(dayKey(new Date(2026, 10, 30, 22).getTime())).not.toBe(dayKey(first.getTime()));
  });
});
