import { describe, expect, it } from "vitest";
import { nextConversation, shortcutOf } from "./shortcuts";

const press = (
  key: string,
  mods: Partial<Record<"ctrlKey" | "metaKey" | "altKey" | "shiftKey", boolean>> = {},
) => ({
  key,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...mods,
});

describe("keyboard shortcuts", () => {
  it("knows Ctrl/Cmd+K, Alt(+Shift)+arrows and ? (not in a text box)", () => {
    expect(shortcutOf(press("k", { ctrlKey: true }), true)).toEqual({ kind: "jump" });
    expect(shortcutOf(press("K", { metaKey: true }), false)).toEqual({ kind: "jump" });
    expect(shortcutOf(press("ArrowDown", { altKey: true }), true)).toEqual({
      kind: "move",
      step: 1,
      unreadOnly: false,
    });
    expect(shortcutOf(press("ArrowUp", { altKey: true, shiftKey: true }), false)).toEqual({
      kind: "move",
      step: -1,
      unreadOnly: true,
    });
    expect(shortcutOf(press("?", { shiftKey: true }), false)).toEqual({ kind: "help" });
    expect(shortcutOf(press("?", { shiftKey: true }), true)).toBeNull();
    expect(shortcutOf(press("ArrowDown"), false)).toBeNull();
  });

  it("moves through the sidebar's conversations, wrapping, or only the unread ones", () => {
    const links = [
      { href: "/r/a", unread: false },
      { href: "/r/b", unread: true },
      { href: "/r/c", unread: false },
      { href: "/dm/dan", unread: true },
    ];
    expect(nextConversation(links, "/r/a", 1, false)).toBe("/r/b");
    expect(nextConversation(links, "/r/a", -1, false)).toBe("/dm/dan");
    expect(nextConversation(links, "/dm/dan", 1, false)).toBe("/r/a");
    expect(nextConversation(links, "/r/b", 1, true)).toBe("/dm/dan");
    expect(nextConversation(links, "/dm/dan", 1, true)).toBe("/r/b");
    expect(nextConversation(links, "/", 1, false)).toBe("/r/a");
    expect(nextConversation([{ href: "/r/a", unread: false }], "/r/a", 1, true)).toBeNull();
  });
});
