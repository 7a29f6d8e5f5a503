import { describe, expect, it } from "vitest";
import { colorOf, hashId, PALETTE, roomSlots, workspaceSlots } from "./avatarColors";

const people = (count: number, prefix = "user") =>
  Array.from({ length: count }, (_, i) => ({
    id: `${prefix}${i.toString(36).padStart(15, "0")}`,
    createdAt: i,
  }));

describe("avatar colours", () => {
  it("gives up to 24 people 24 different colours, whatever their ids hash to", () => {
    const everyone = people(PALETTE.length);
    const slots = workspaceSlots(everyone);
    expect(new Set(everyone.map((person) => colorOf(slots, person.id))).size).toBe(PALETTE.length);
    expect(new Set(PALETTE).size).toBe(PALETTE.length);
  });

  it("keeps everyone's colour when someone new signs up", () => {
    const before = people(10);
    const after = [...before, { id: "newcomer0000000", createdAt: 100 }];
    const a = workspaceSlots(before);
    const b = workspaceSlots(after);
    for (const person of before) expect(b.get(person.id)).toBe(a.get(person.id));
  });

  it("two ids that hash to the same colour still differ", () => {
    // Find two ids whose hashes land on the same slot.
    const seen = new Map<number, string>();
    let pair: [string, string] | null = null;
    for (let i = 0; !pair; i++) {
      const id = `id${i}`;
      const slot = hashId(id) % PALETTE.length;
      const other = seen.get(slot);
      if (other) pair = [other, id];
      seen.set(slot, id);
    }
    const slots = workspaceSlots(pair.map((id, i) => ({ id, createdAt: i })));
    expect(colorOf(slots, pair[0])).not.toBe(colorOf(slots, pair[1]));
  });

  it("in a workspace larger than the palette, the people of one room still differ", () => {
    const everyone = people(100);
    const workspace = workspaceSlots(everyone);
    const room = [0, 24, 48, 72, 5, 29, 53].map((i) => everyone[i]!);
    const inRoom = roomSlots(room, workspace);
    expect(new Set(room.map((person) => colorOf(inRoom, person.id))).size).toBe(room.length);
    // The earliest of them keeps their workspace colour.
    expect(inRoom.get(room[0]!.id)).toBe(workspace.get(room[0]!.id));
  });
});
