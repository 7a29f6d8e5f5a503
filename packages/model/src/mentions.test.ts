import { describe, expect, it } from "vitest";
import { parseMentions } from "./mentions.ts";

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
});
