import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { observeSettings, readSetting, THEME_SETTING, themeOf, writeSetting } from "./settings.ts";

describe("settings", () => {
  it("a theme chosen on one device reaches the other; anything else reads as the system's", () => {
    const laptop = new Y.Doc();
    const phone = new Y.Doc();
    laptop.on("update", (update: Uint8Array) => Y.applyUpdate(phone, update));
    expect(themeOf(phone)).toBe("system");
    let heard = 0;
    const stop = observeSettings(phone, () => heard++);
    writeSetting(laptop, THEME_SETTING, "dark");
    expect(themeOf(phone)).toBe("dark");
    expect(heard).toBe(1);
    // Writing the same value again is no change at all.
    writeSetting(laptop, THEME_SETTING, "dark");
    expect(heard).toBe(1);
    writeSetting(laptop, THEME_SETTING, "sepia");
    expect(readSetting(phone, THEME_SETTING)).toBe("sepia");
    expect(themeOf(phone)).toBe("system");
    stop();
  });
});
