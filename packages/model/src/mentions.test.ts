import { describe, expect, it } from "vitest";
import { mentionQueryAt, parseMentions, splitMentions, suggestPeople, suggestUsernames } from "./mentions.ts";

describe("parseMentions", () => {
  it("finds each @username once, lower-cased, without trailing punctuation", () => {
    expect(parseMentions("hi @Bob and @carol.x, thanks @bob.")).toEqual(["bob", "carol.x"]);
  });
  it("ignores e-mail addresses, code and lone @", () => {
    expect(parseMentions("mail me@example.com or `@bob` or\n```\n@carol\n```\n@ alone")).toEqual([]);
  });
  it("accepts a mention at the start or after punctuation", () => {
    expect(parseMentions("@dave: (@erin) look")).toEqual(["dave", "erin"]);
  });
  it("finds the mention being typed at the caret, for the typeahead", () => {
    expect(mentionQueryAt("hi @bo", 6)).toEqual({ start: 3, query: "bo" });
    expect(mentionQueryAt("@", 1)).toEqual({ start: 0, query: "" });
    expect(mentionQueryAt("hi @Bo there", 6)).toEqual({ start: 3, query: "bo" });
    expect(mentionQueryAt("mail me@exa", 11)).toBeNull();
    expect(mentionQueryAt("hi @bob there", 13)).toBeNull();
  });
  it("suggests usernames that start with the query, then those that contain it", () => {
    expect(suggestUsernames(["carol", "bob", "abby", "bobby"], "b")).toEqual(["bob", "bobby", "abby"]);
    expect(suggestUsernames(["a1", "a2", "a3"], "a", 2)).toEqual(["a1", "a2"]);
  });

  it("suggests people by username or display name, prefix matches first, accents aside", () => {
    const people = [
      { username: "nat", displayName: "Natalia Ali" },
      { username: "zk", displayName: "Zoë Khan" },
      { username: "alice", displayName: "Alice Liddell" },
      { username: "bob", displayName: "Robert Salinas" },
      { username: "kali", displayName: "kali" },
    ];
    const names = (query: string) => suggestPeople(people, query).map((person) => person.username);
    // alice by her username, nat by the word "Ali" of her name; kali and bob only contain "ali".
    expect(names("ali")).toEqual(["alice", "nat", "bob", "kali"]);
    expect(names("zoe")).toEqual(["zk"]);
    expect(names("khan")).toEqual(["zk"]);
    expect(names("rob")).toEqual(["bob"]);
    expect(names("xyz")).toEqual([]);
    expect(suggestPeople(people, "", 2).map((person) => person.username)).toEqual(["alice", "bob"]);
  });

  it("cuts a preview into text and mentions of people it knows, for chips", () => {
    const known = new Set(["bob", "carol"]);
    expect(splitMentions("@Bob, ask @carol. Not @nobody or me@bob.io", known)).toEqual([
      { text: "@Bob", mention: true },
      { text: ", ask ", mention: false },
      { text: "@carol", mention: true },
      { text: ". Not @nobody or me@bob.io", mention: false },
    ]);
    expect(splitMentions("no one", known)).toEqual([{ text: "no one", mention: false }]);
  });
});
