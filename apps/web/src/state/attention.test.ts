import { describe, expect, it } from "vitest";
import { formatTabTitle } from "./pageTitle";
import { typingText } from "./presence";

describe("what the page says to get attention", () => {
  it("puts the unread total first in the tab title", () => {
    expect(formatTabTitle(3, null)).toBe("(3) Chat");
    expect(formatTabTitle(0, null)).toBe("Chat");
    expect(formatTabTitle(12, "general")).toBe("(12) general · Chat");
    expect(formatTabTitle(0, "bob")).toBe("bob · Chat");
  });
  it("names who is typing", () => {
    expect(typingText([])).toBe("");
    expect(typingText(["bob"])).toBe("bob is typing…");
    expect(typingText(["bob", "carol"])).toBe("bob and carol are typing…");
    expect(typingText(["a", "b", "c"])).toBe("Several people are typing…");
  });
});
