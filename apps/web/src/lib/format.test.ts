import { describe, expect, it } from "vitest";
import { formatAgo } from "./format";

describe("formatAgo", () => {
  const now = new Date(2026, 10, 22, 15, 30).getTime();
  it("says just now, minutes, then hours", () => {
    expect(formatAgo(now - 20_000, now)).toBe("just now");
    expect(formatAgo(now + 5_000, now)).toBe("just now");
    expect(formatAgo(now - 3 * 60_000, now)).toBe("3 min ago");
    expect(formatAgo(now - 59 * 60_000, now)).toBe("59 min ago");
    expect(formatAgo(now - 2 * 3_600_000, now)).toBe("2 h ago");
  });
  it("says yesterday, then the date", () => {
    expect(formatAgo(new Date(2026, 10, 21, 9).getTime(), now)).toBe("yesterday");
    expect(formatAgo(new Date(2026, 10, 12, 9).getTime(), now)).toMatch(/12/);
  });
});
