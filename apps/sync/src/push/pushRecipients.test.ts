import { describe, expect, it } from "vitest";
import type { NotifyPrefs } from "../notify/notifyPrefs.ts";
import { pushRecipients } from "./pushRecipients.ts";

const alice = { id: "a", username: "alice" };
const bob = { id: "b", username: "bob" };
const carol = { id: "c", username: "carol" };
const now = Date.UTC(2026, 0, 5, 12, 0);
const names = (list: { username: string }[]) => list.map((m) => m.username);

describe("pushRecipients", () => {
  it("a direct conversation calls the other person, never the author, whatever their level", () => {
    const prefs = new Map<string, NotifyPrefs>([["b", { level: "nothing", dnd: null }]]);
    expect(
      names(pushRecipients({ kind: "dm", authorId: "a", mentions: [] }, [alice, bob], prefs, now)),
    ).toEqual(["bob"]);
  });

  it("in a room: mentions by default, everything at All messages, nothing at Nothing", () => {
    const prefs = new Map<string, NotifyPrefs>([
      ["b", { level: "all", dnd: null }],
      ["c", { level: "nothing", dnd: null }],
    ]);
    const room = (mentions: string[]) =>
      names(pushRecipients({ kind: "channel", authorId: "a", mentions }, [alice, bob, carol], prefs, now));
    expect(room([])).toEqual(["bob"]);
    expect(room(["carol", "alice"])).toEqual(["bob"]);
    expect(
      names(
        pushRecipients({ kind: "private", authorId: "b", mentions: ["alice"] }, [alice, bob], new Map(), now),
      ),
    ).toEqual(["alice"]);
    expect(
      names(pushRecipients({ kind: "private", authorId: "b", mentions: [] }, [alice, bob], new Map(), now)),
    ).toEqual([]);
  });

  it("do not disturb pauses every call, a DM's too, until it ends", () => {
    const prefs = new Map<string, NotifyPrefs>([["b", { level: "all", dnd: { until: now + 60_000 } }]]);
    const facts = { kind: "dm" as const, authorId: "a", mentions: ["bob"] };
    expect(pushRecipients(facts, [alice, bob], prefs, now)).toEqual([]);
    expect(names(pushRecipients(facts, [alice, bob], prefs, now + 60_000))).toEqual(["bob"]);
  });

  it("a thread reply: its followers (not one who muted the room, mentioned or not), not members at All messages who do not follow", () => {
    const dave = { id: "d", username: "dave" };
    const prefs = new Map<string, NotifyPrefs>([
      ["b", { level: "all", dnd: null }],
      ["c", { level: "nothing", dnd: null }],
    ]);
    const reply = (mentions: string[], alsoInRoom = false) =>
      names(
        pushRecipients(
          {
            kind: "channel",
            authorId: "a",
            mentions,
            thread: { followers: new Set(["a", "c", "d"]), alsoInRoom },
          },
          [alice, bob, carol, dave],
          prefs,
          now,
        ),
      );
    expect(reply([])).toEqual(["dave"]);
    expect(reply(["carol"])).toEqual(["dave"]);
    expect(reply([], true)).toEqual(["bob", "dave"]);
  });
});
