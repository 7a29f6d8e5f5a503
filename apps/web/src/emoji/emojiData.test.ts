import data from "@emoji-mart/data/sets/15/native.json";
import { describe, expect, it } from "vitest";
import { buildSet, searchEmoji, shortcodeQueryAt } from "./emojiData";

const set = buildSet(data as never);

describe("the emoji set", () => {
  it("knows shortcodes and their aliases", () => {
    expect(set.byCode.get("tada")?.native).toBe("🎉");
    expect(set.byCode.get("+1")?.native).toBe("👍");
    expect(set.byCode.get("satisfied")?.native).toBe(set.byCode.get("laughing")?.native);
    expect(set.all.length).toBeGreaterThan(1_500);
  });

  it("ranks shortcodes that start with the query first, then names and keywords", () => {
    const found = searchEmoji(set, "tad");
    expect(found[0]?.id).toBe("tada");
    expect(searchEmoji(set, "party").map((e) => e.native)).toContain("🎉");
    expect(searchEmoji(set, "zzzzqx")).toEqual([]);
  });

  it("finds the shortcode being typed, from two characters, not inside a word or a time", () => {
    expect(shortcodeQueryAt("nice :ta", 8)).toEqual({ start: 5, query: "ta" });
    expect(shortcodeQueryAt(":+1", 3)).toEqual({ start: 0, query: "+1" });
    expect(shortcodeQueryAt("nice :t", 7)).toBeNull();
    expect(shortcodeQueryAt("at 10:30", 8)).toBeNull();
    expect(shortcodeQueryAt("http://x", 8)).toBeNull();
  });
});
