import { describe, expect, it } from "vitest";
import {
  groupedReactions,
  MAX_EMOJI_LENGTH,
  MAX_REACTIONS_PER_MESSAGE,
  messageReactions,
  observeReactions,
  parseReactionKey,
  ReactionRejected,
  reactionEmojiProblem,
  reactionKey,
  toggleReaction,
} from "./reactions.ts";
import { assertConverged, createReplicas, seededRandom, syncInRandomOrder } from "./testing.ts";

describe("reactions", () => {
  it("toggles one's own reaction and groups a message's reactions in first-reacted order", () => {
    const [doc] = createReplicas(1);
    expect(toggleReaction(doc!, "m1", "👍", "alice", 10)).toBe(true);
    expect(toggleReaction(doc!, "m1", "🎉", "bob", 20)).toBe(true);
    expect(toggleReaction(doc!, "m1", "👍", "bob", 30)).toBe(true);
    toggleReaction(doc!, "m2", "👀", "bob", 5);
    expect(groupedReactions(doc!, "m1", "bob")).toEqual([
      { emoji: "👍", count: 2, mine: true, users: ["alice", "bob"] },
      { emoji: "🎉", count: 1, mine: true, users: ["bob"] },
    ]);
    expect(groupedReactions(doc!, "m1", "alice").map((g) => [g.emoji, g.mine])).toEqual([
      ["👍", true],
      ["🎉", false],
    ]);
    expect(toggleReaction(doc!, "m1", "👍", "alice", 40)).toBe(false);
    // Order follows the reactions there now: bob's 👍 (30) came after his 🎉 (20).
    expect(groupedReactions(doc!, "m1", "alice")).toEqual([
      { emoji: "🎉", count: 1, mine: false, users: ["bob"] },
      { emoji: "👍", count: 1, mine: false, users: ["bob"] },
    ]);
    expect(groupedReactions(doc!, "nothing", "alice")).toEqual([]);
  });

  it("keys each reaction by message, emoji and person", () => {
    const key = reactionKey("m1", "👩‍💻", "alice");
    expect(parseReactionKey(key)).toEqual({ messageId: "m1", emoji: "👩‍💻", userId: "alice" });
    expect(parseReactionKey("m1\u0000👍")).toBeNull();
    expect(parseReactionKey("m1\u0000👍\u0000alice\u0000x")).toBeNull();
    expect(parseReactionKey("\u0000👍\u0000alice")).toBeNull();
  });

  it("takes emoji only: short, no letters, spaces or control characters", () => {
    for (const ok of ["👍", "❤️", "😄", "🎉", "✅", "👩‍💻", "🇫🇷", "1️⃣", "👍🏽", "🏴󠁧󠁢󠁳󠁣󠁴󠁿"])
      expect(reactionEmojiProblem(ok), ok).toBeNull();
    for (const bad of ["", "a", "👍 ", " 👍", "👍\n", "👍\u0000", "+1", "👍x", "\u200B👍", "👍".repeat(17)])
      expect(reactionEmojiProblem(bad), JSON.stringify(bad)).not.toBeNull();
    expect("👍".repeat(16).length).toBe(MAX_EMOJI_LENGTH);
    expect(() => toggleReaction(createReplicas(1)[0]!, "m1", "lol", "alice")).toThrow(ReactionRejected);
  });

  it(`takes at most ${MAX_REACTIONS_PER_MESSAGE} different emoji on a message`, () => {
    const [doc] = createReplicas(1);
    const emoji = [..."😀😃😄😁😆😅😂🤣😊😇🙂🙃😉😌😍🥰😘😗😙😚"];
    expect(emoji).toHaveLength(MAX_REACTIONS_PER_MESSAGE);
    for (const e of emoji) toggleReaction(doc!, "m1", e, "alice");
    expect(() => toggleReaction(doc!, "m1", "🤪", "alice")).toThrow(/at most 20 different/);
    // Joining an emoji already there is fine, and so is another message.
    expect(toggleReaction(doc!, "m1", "😀", "bob")).toBe(true);
    expect(toggleReaction(doc!, "m2", "🤪", "alice")).toBe(true);
  });

  it("converges when people and devices toggle at once", () => {
    const random = seededRandom(7);
    const docs = createReplicas(4);
    // Two people, each on two devices.
    const people = ["alice", "alice", "bob", "bob"];
    for (let round = 0; round < 30; round++) {
      docs.forEach((doc, i) => {
        if (random() < 0.5) toggleReaction(doc, "m1", random() < 0.5 ? "👍" : "🎉", people[i]!, round);
      });
      if (random() < 0.3) syncInRandomOrder(docs, random);
    }
    syncInRandomOrder(docs, random);
    assertConverged(docs);
    const views = docs.map((doc) => JSON.stringify(groupedReactions(doc, "m1", "alice")));
    expect(new Set(views).size).toBe(1);
    // Every entry is one person's own: the keys never mix people.
    for (const key of messageReactions(docs[0]!).keys())
      expect(["alice", "bob"]).toContain(parseReactionKey(key)!.userId);
  });

  it("tells an observer which messages' reactions changed", () => {
    const [doc] = createReplicas(1);
    const seen: string[][] = [];
    const stop = observeReactions(doc!, (ids) => seen.push([...ids]));
    toggleReaction(doc!, "m1", "👍", "alice");
    toggleReaction(doc!, "m2", "👍", "alice");
    stop();
    toggleReaction(doc!, "m3", "👍", "alice");
    expect(seen).toEqual([["m1"], ["m2"]]);
  });
});
