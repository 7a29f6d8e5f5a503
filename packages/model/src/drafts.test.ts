import { describe, expect, it } from "vitest";
import { readDraft, setDraft } from "./drafts.ts";
import { MAX_MESSAGE_LENGTH } from "./schema.ts";
import { assertConverged, createReplicas, seededRandom, syncInRandomOrder } from "./testing.ts";

describe("drafts", () => {
  it("keeps a draft per room", () => {
    const [doc] = createReplicas(1);
    setDraft(doc!, "room-a", "hello");
    setDraft(doc!, "room-b", "other");
    setDraft(doc!, "room-a", "hello there");
    expect(readDraft(doc!, "room-a")).toBe("hello there");
    expect(readDraft(doc!, "room-b")).toBe("other");
    setDraft(doc!, "room-a", "");
    expect(readDraft(doc!, "room-a")).toBe("");
    setDraft(doc!, "room-a", "x".repeat(MAX_MESSAGE_LENGTH + 5));
    expect(readDraft(doc!, "room-a")).toHaveLength(MAX_MESSAGE_LENGTH);
  });

  it("merges typing on two devices instead of keeping only one", () => {
    const [phone, laptop] = createReplicas(2);
    setDraft(phone!, "r", "Meeting at noon");
    syncInRandomOrder([phone!, laptop!], seededRandom(1));
    // Offline from each other: the phone adds at the start, the laptop at the end.
    setDraft(phone!, "r", "Reminder: Meeting at noon");
    setDraft(laptop!, "r", "Meeting at noon tomorrow");
    syncInRandomOrder([phone!, laptop!], seededRandom(2));
    assertConverged([phone!, laptop!]);
    expect(readDraft(phone!, "r")).toBe("Reminder: Meeting at noon tomorrow");
    expect(readDraft(laptop!, "r")).toBe("Reminder: Meeting at noon tomorrow");
  });
});
