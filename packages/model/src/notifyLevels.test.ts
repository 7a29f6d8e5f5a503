import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import {
  type DoNotDisturb,
  doNotDisturb,
  isDoNotDisturbAt,
  MAX_NOTIFY_ENTRIES,
  notifyEntryProblem,
  notifyLevel,
  notifyPrefsOf,
  observeNotifySettings,
  resolveNotifyLevel,
  setDoNotDisturb,
  setNotifyLevel,
  shouldNotify,
} from "./notifyLevels.ts";
import { dmRoomId, newId } from "./schema.ts";

const HOUR = 3_600_000;

/** Two devices of one person, each change reaching the other. */
function twoDevices() {
  const laptop = new Y.Doc();
  const phone = new Y.Doc();
  laptop.on("update", (update: Uint8Array) => Y.applyUpdate(phone, update));
  phone.on("update", (update: Uint8Array) => Y.applyUpdate(laptop, update));
  return { laptop, phone };
}

describe("notification levels", () => {
  it("rooms call for mentions until their person chooses; a level set on one device reaches the other", () => {
    const { laptop, phone } = twoDevices();
    const room = newId();
    expect(notifyLevel(phone, room, "channel")).toBe("mentions");
    expect(notifyLevel(phone, room, "private")).toBe("mentions");
    let heard = 0;
    const stop = observeNotifySettings(phone, () => heard++);
    setNotifyLevel(laptop, room, "nothing");
    expect(notifyLevel(phone, room, "channel")).toBe("nothing");
    expect(heard).toBe(1);
    // The same level again is no change at all.
    setNotifyLevel(laptop, room, "nothing");
    expect(heard).toBe(1);
    setNotifyLevel(phone, room, "all");
    expect(notifyLevel(laptop, room, "channel")).toBe("all");
    expect(heard).toBe(2);
    stop();
    setNotifyLevel(phone, room, "mentions");
    expect(heard).toBe(2);
  });

  it("a direct conversation always calls, whatever is stored for it", () => {
    const doc = new Y.Doc();
    const dm = dmRoomId(newId(), newId());
    setNotifyLevel(doc, dm, "nothing");
    expect(notifyLevel(doc, dm, "dm")).toBe("all");
  });

  it("the one rule: all calls, mentions only for a mention, nothing never; a DM always", () => {
    const cases: [Parameters<typeof shouldNotify>[0], boolean][] = [
      [{ level: "all", mentioned: false, kind: "channel" }, true],
      [{ level: "all", mentioned: true, kind: "private" }, true],
      [{ level: "mentions", mentioned: false, kind: "channel" }, false],
      [{ level: "mentions", mentioned: true, kind: "channel" }, true],
      [{ level: "nothing", mentioned: true, kind: "channel" }, false],
      [{ level: "nothing", mentioned: false, kind: "private" }, false],
      [{ level: "nothing", mentioned: false, kind: "dm" }, true],
      [{ level: "mentions", mentioned: false, kind: "dm" }, true],
    ];
    for (const [input, expected] of cases) expect(shouldNotify(input), JSON.stringify(input)).toBe(expected);
  });

  it("a thread reply calls its followers (in a muted room nobody), and nobody else unless also sent to the room", () => {
    const cases: [Parameters<typeof shouldNotify>[0], boolean][] = [
      // Followers: "Mentions only" (the default) and "All messages" call; "Nothing" never, as for the room.
      [{ level: "mentions", mentioned: false, kind: "channel", followedThread: true }, true],
      [{ level: "all", mentioned: false, kind: "private", followedThread: true }, true],
      [{ level: "nothing", mentioned: false, kind: "channel", followedThread: true }, false],
      [{ level: "nothing", mentioned: true, kind: "channel", followedThread: true }, false],
      // Not following: a reply kept in its thread calls nobody at "All messages"; a mention still calls.
      [{ level: "all", mentioned: false, kind: "channel", followedThread: false }, false],
      [{ level: "mentions", mentioned: true, kind: "channel", followedThread: false }, true],
      // Also sent to the room: the room's level as for any message.
      [{ level: "all", mentioned: false, kind: "channel", followedThread: false, alsoInRoom: true }, true],
      [
        { level: "mentions", mentioned: false, kind: "channel", followedThread: false, alsoInRoom: true },
        false,
      ],
      [
        { level: "nothing", mentioned: false, kind: "channel", followedThread: true, alsoInRoom: true },
        false,
      ],
      // A direct conversation always calls.
      [{ level: "all", mentioned: false, kind: "dm", followedThread: false }, true],
    ];
    for (const [input, expected] of cases) expect(shouldNotify(input), JSON.stringify(input)).toBe(expected);
  });
});

describe("the stored copy (what the server mirrors)", () => {
  it("lists the chosen levels and the schedule, leaving out what is not well formed", () => {
    const doc = new Y.Doc();
    const room = newId();
    expect(notifyPrefsOf(doc)).toEqual({ levels: {}, dnd: null });
    setNotifyLevel(doc, room, "nothing");
    setDoNotDisturb(doc, { until: 5 });
    doc.getMap("notify").set("junk", "all");
    expect(notifyPrefsOf(doc)).toEqual({ levels: { [room]: "nothing" }, dnd: { until: 5 } });
    expect(resolveNotifyLevel("nothing", "channel")).toBe("nothing");
    expect(resolveNotifyLevel(undefined, "private")).toBe("mentions");
    expect(resolveNotifyLevel("loud", "channel")).toBe("mentions");
    expect(resolveNotifyLevel("nothing", "dm")).toBe("all");
  });
});

describe("do not disturb", () => {
  it("is stored, read back on another device, and cleared", () => {
    const { laptop, phone } = twoDevices();
    expect(doNotDisturb(phone)).toBeNull();
    let heard = 0;
    const stop = observeNotifySettings(phone, () => heard++);
    const dnd: DoNotDisturb = {
      until: 1_900_000_000_000,
      daily: { from: "22:00", to: "07:30", timeZone: "Europe/Paris" },
    };
    setDoNotDisturb(laptop, dnd);
    expect(doNotDisturb(phone)).toEqual(dnd);
    expect(heard).toBe(1);
    setDoNotDisturb(laptop, { until: undefined, daily: dnd.daily });
    expect(doNotDisturb(phone)).toEqual({ daily: dnd.daily });
    setDoNotDisturb(phone, null);
    expect(doNotDisturb(laptop)).toBeNull();
    stop();
  });

  it("pauses until its moment, not after", () => {
    const now = Date.now();
    expect(isDoNotDisturbAt(null, now)).toBe(false);
    expect(isDoNotDisturbAt({ until: now + HOUR }, now)).toBe(true);
    expect(isDoNotDisturbAt({ until: now }, now)).toBe(false);
    expect(isDoNotDisturbAt({ until: now - 1 }, now)).toBe(false);
  });

  it("pauses daily inside its window on its time zone's clock, across midnight too", () => {
    // Noon UTC of some day: 12:00 in UTC, 13:00 or 14:00 in Paris, 21:00 in Tokyo (no summer time).
    const noon = Date.UTC(2026, 0, 15, 12, 0);
    const daily = (from: string, to: string, timeZone = "UTC"): DoNotDisturb => ({
      daily: { from, to, timeZone },
    });
    expect(isDoNotDisturbAt(daily("09:00", "17:00"), noon)).toBe(true);
    expect(isDoNotDisturbAt(daily("12:00", "13:00"), noon)).toBe(true); // the start is inside
    expect(isDoNotDisturbAt(daily("11:00", "12:00"), noon)).toBe(false); // the end is not
    expect(isDoNotDisturbAt(daily("13:00", "17:00"), noon)).toBe(false);
    // Across midnight: 22:00–07:00.
    expect(isDoNotDisturbAt(daily("22:00", "07:00"), noon)).toBe(false);
    expect(isDoNotDisturbAt(daily("22:00", "07:00"), noon + 11 * HOUR)).toBe(true); // 23:00
    expect(isDoNotDisturbAt(daily("22:00", "07:00"), noon + 15 * HOUR)).toBe(true); // 03:00 next day
    expect(isDoNotDisturbAt(daily("22:00", "07:00"), noon + 19 * HOUR)).toBe(false); // 07:00
    // The same instant on another clock: 21:00 in Tokyo.
    expect(isDoNotDisturbAt(daily("20:00", "06:00", "Asia/Tokyo"), noon)).toBe(true);
    expect(isDoNotDisturbAt(daily("20:00", "06:00", "UTC"), noon)).toBe(false);
    // `until` or the window: either pauses.
    expect(isDoNotDisturbAt({ until: noon + HOUR, ...daily("20:00", "21:00") }, noon)).toBe(true);
    // An unknown zone pauses nothing rather than throwing.
    expect(isDoNotDisturbAt(daily("00:00", "23:59", "Mars/Olympus"), noon)).toBe(false);
  });
});

describe("what the server accepts in the notify map", () => {
  it("a well-formed room id with a known level", () => {
    expect(notifyEntryProblem(newId(), "nothing")).toBeNull();
    expect(notifyEntryProblem(dmRoomId(newId(), newId()), "all")).toBeNull();
    expect(notifyEntryProblem(newId(), "loud")).toMatch(/one of all, mentions, nothing/);
    expect(notifyEntryProblem(newId(), null)).toMatch(/one of/);
    expect(notifyEntryProblem("not a room", "all")).toMatch(/room id/);
    expect(notifyEntryProblem("__proto__", "all")).toMatch(/room id/);
    expect(notifyEntryProblem(`${newId()}/1`, "all")).toMatch(/room id/);
  });

  it("a do-not-disturb schedule with a moment and/or a valid daily window, nothing else", () => {
    const ok = { from: "22:00", to: "07:00", timeZone: "America/New_York" };
    expect(notifyEntryProblem("dnd", { until: Date.now() + HOUR })).toBeNull();
    expect(notifyEntryProblem("dnd", { daily: ok })).toBeNull();
    expect(notifyEntryProblem("dnd", { until: 1, daily: ok })).toBeNull();
    for (const bad of [
      null,
      "soon",
      [],
      {},
      { until: -1 },
      { until: 1.5 },
      { until: "tomorrow" },
      { until: 1, extra: true },
      { daily: { ...ok, to: "24:00" } },
      { daily: { ...ok, from: "7:00" } },
      { daily: { ...ok, to: ok.from } },
      { daily: { ...ok, timeZone: "Mars/Olympus" } },
      { daily: { ...ok, timeZone: "x".repeat(100) } },
      { daily: { ...ok, more: 1 } },
      { daily: { from: "22:00", to: "07:00" } },
      { daily: "22:00-07:00" },
    ])
      expect(notifyEntryProblem("dnd", bad), JSON.stringify(bad)).not.toBeNull();
    expect(MAX_NOTIFY_ENTRIES).toBeGreaterThan(1);
  });
});
