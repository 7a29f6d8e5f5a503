import { describe, expect, it } from "vitest";
import { parseDay, parseQuery, resolveQuery, type SearchVocabulary } from "./searchQuery.ts";

const vocabulary: SearchVocabulary = {
  me: { id: "u-me", username: "carol" },
  users: [
    { id: "u-alice", username: "alice" },
    { id: "u-bob", username: "Bob" },
    { id: "u-me", username: "carol" },
  ],
  rooms: [
    { id: "r-design", name: "design" },
    { id: "r-design-review", name: "design-review" },
    { id: "r-general", name: "General" },
    { id: "r-team", name: "team chat" },
  ],
};

describe("parseQuery", () => {
  it("separates words from filters in any order", () => {
    const query = parseQuery("budget from:alice in:#design after:2024-01-31 has:link  report");
    expect(query.words).toEqual(["budget", "report"]);
    expect(query.from).toEqual(["alice"]);
    expect(query.in).toEqual(["design"]);
    expect(query.after).toEqual({ year: 2024, month: 1, day: 31 });
    expect(query.before).toBeNull();
    expect(query.hasLink).toBe(true);
    expect(query.problems).toEqual([]);
  });

  it("takes quoted phrases and quoted filter values, and strips @ and # from names", () => {
    const query = parseQuery('"quarterly plan" in:"team chat" from:@Bob FROM:alice');
    expect(query.words).toEqual(["quarterly", "plan"]);
    expect(query.in).toEqual(["team chat"]);
    expect(query.from).toEqual(["bob", "alice"]);
  });

  it("keeps unknown keys and times as words, and ignores a filter still being typed", () => {
    const query = parseQuery("meet at 10:30 re:budget from:");
    expect(query.words).toEqual(["meet", "at", "10:30", "re:budget"]);
    expect(query.from).toEqual([]);
    expect(query.problems).toEqual([]);
  });

  it("explains filters it cannot use", () => {
    const query = parseQuery("before:yesterday on:2024-02-30 has:video");
    expect(query.before).toBeNull();
    expect(query.on).toBeNull();
    expect(query.hasLink).toBe(false);
    expect(query.problems).toEqual([
      '"before:yesterday" needs a date written YYYY-MM-DD, like before:2024-03-31.',
      '"on:2024-02-30" needs a date written YYYY-MM-DD, like on:2024-03-31.',
      '"has:video" is not a filter: has:link, has:file and has:image are.',
    ]);
  });

  it("reads has:file and has:image", () => {
    const query = parseQuery("has:file HAS:Image budget");
    expect(query).toMatchObject({ hasFile: true, hasImage: true, hasLink: false, words: ["budget"] });
    expect(query.problems).toEqual([]);
    const resolved = resolveQuery(parseQuery("has:image"), vocabulary);
    expect(resolved.empty).toBe(false);
    expect(resolved.request.filter).toMatchObject({ hasImage: true, hasFile: false });
  });

  it("knows real days", () => {
    expect(parseDay("2024-02-29")).toEqual({ year: 2024, month: 2, day: 29 });
    expect(parseDay("2023-02-29")).toBeNull();
    expect(parseDay("2024-13-01")).toBeNull();
    expect(parseDay("2024-1-01")).toBeNull();
  });
});

describe("resolveQuery", () => {
  it("turns usernames (any case, and me) and room names into ids", () => {
    const resolved = resolveQuery(parseQuery("from:bob from:me in:general hello"), vocabulary);
    expect(resolved.request.filter.authors).toEqual(["u-bob", "u-me"]);
    expect(resolved.request.filter.rooms).toEqual(["r-general"]);
    expect(resolved.request.words).toEqual(["hello"]);
    expect(resolved.impossible).toBe(false);
    expect(resolved.empty).toBe(false);
  });

  it("prefers an exact room name and otherwise takes every room that starts with it", () => {
    expect(resolveQuery(parseQuery("in:design"), vocabulary).request.filter.rooms).toEqual(["r-design"]);
    expect(resolveQuery(parseQuery("in:des"), vocabulary).request.filter.rooms).toEqual([
      "r-design",
      "r-design-review",
    ]);
  });

  it("makes a query that names nobody impossible, and says why", () => {
    const resolved = resolveQuery(parseQuery("from:zed hello"), vocabulary);
    expect(resolved.impossible).toBe(true);
    expect(resolved.problems).toEqual(['No one is called "zed".']);
    const room = resolveQuery(parseQuery("in:nowhere"), vocabulary);
    expect(room.impossible).toBe(true);
    expect(room.problems).toEqual(['You have no room called "nowhere".']);
  });

  it("turns days into local-midnight bounds: after is from the next day, before is until that day", () => {
    const { filter } = resolveQuery(parseQuery("after:2024-03-09 before:2024-03-12"), vocabulary).request;
    expect(filter.since).toBe(new Date(2024, 2, 10).getTime());
    expect(filter.until).toBe(new Date(2024, 2, 12).getTime());
    const on = resolveQuery(parseQuery("on:2024-12-31"), vocabulary).request.filter;
    expect(on.since).toBe(new Date(2024, 11, 31).getTime());
    expect(on.until).toBe(new Date(2025, 0, 1).getTime());
    const never = resolveQuery(parseQuery("after:2024-03-09 before:2024-03-10"), vocabulary);
    expect(never.impossible).toBe(true);
  });

  it("is empty with nothing to look for", () => {
    expect(resolveQuery(parseQuery("   "), vocabulary).empty).toBe(true);
    expect(resolveQuery(parseQuery("from:"), vocabulary).empty).toBe(true);
    expect(resolveQuery(parseQuery("has:link"), vocabulary).empty).toBe(false);
  });
});
