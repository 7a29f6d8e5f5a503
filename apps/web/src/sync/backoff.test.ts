import { describe, expect, it } from "vitest";
import { FIRST_RETRY_MS, LONGEST_RETRY_MS, reconnectDelay } from "./backoff";

describe("the wait between attempts to reach the server", () => {
  it("doubles after each failure, from one second", () => {
    const longest = (failures: number) => reconnectDelay(failures, () => 1);
    expect([1, 2, 3, 4, 5].map(longest)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
  });
  it("never waits more than thirty seconds, however long the server is away", () => {
    expect(reconnectDelay(6, () => 1)).toBe(LONGEST_RETRY_MS);
    expect(reconnectDelay(60, () => 1)).toBe(LONGEST_RETRY_MS);
  });
  it("spreads devices over the second half of each wait, never below a second", () => {
    expect(reconnectDelay(4, () => 0)).toBe(4_000);
    expect(reconnectDelay(4, () => 0.5)).toBe(6_000);
    expect(reconnectDelay(1, () => 0)).toBe(FIRST_RETRY_MS);
    expect(reconnectDelay(0, () => 0)).toBe(FIRST_RETRY_MS);
  });
});
