import { describe, expect, it } from "vitest";
import { fuzzyScore, matchKind } from "./fuzzy";

const rank = (names: string[], query: string) =>
  names
    .map((name) => ({ name, score: fuzzyScore(name, query) }))
    .filter((entry) => entry.score !== null)
    .sort((a, b) => b.score! - a.score!)
    .map((entry) => entry.name);

describe("the quick switcher's matching", () => {
  it("puts names that start with the query first, then word starts, then letters in order", () => {
    expect(rank(["carol", "alice", "design-reviews", "random", "all-hands"], "a")).toEqual([
      "alice",
      "all-hands",
      "carol",
      "random",
    ]);
    expect(rank(["general", "engineering", "go-live"], "gnrl")).toEqual(["general"]);
    expect(rank(["design-reviews", "reviews"], "rev")).toEqual(["reviews", "design-reviews"]);
    expect(fuzzyScore("Design", "DES")).not.toBeNull();
    expect(fuzzyScore("anything", "")).toBe(0);
    expect(fuzzyScore("abc", "abd")).toBeNull();
  });

  it("tells the kind of match apart whatever the name's length (80 characters at most)", () => {
    const kind = (name: string, query: string) => matchKind(fuzzyScore(name, query)!);
    expect(kind("random", "rand")).toBe(3);
    expect(kind(`r${"x".repeat(79)}`, "r")).toBe(3);
    expect(kind("team-random", "rand")).toBe(2);
    expect(kind(`${"x".repeat(70)} random`, "rand")).toBe(2);
    expect(kind("xrandom", "rand")).toBe(1);
    expect(kind(`${"x".repeat(75)}rand`, "rand")).toBe(1);
    expect(kind("r-a-n-d", "rand")).toBe(0);
  });
});
