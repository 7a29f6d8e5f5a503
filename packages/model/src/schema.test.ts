import { describe, expect, it } from "vitest";
import { dmParticipants, dmRoomId, isId, newId, parseDocName } from "./schema.ts";

describe("document names", () => {
  const a = "aaaaaaaaaaaaaaaa";
  const b = "bbbbbbbbbbbbbbbb";
  it("parses exactly our names and nothing else", () => {
    expect(parseDocName("directory")).toEqual({ kind: "directory" });
    expect(parseDocName(`room:${a}`)).toEqual({ kind: "room", roomId: a });
    expect(parseDocName(`room:${a}/12`)).toEqual({ kind: "segment", roomId: a, segment: 12 });
    expect(parseDocName(`user:${b}`)).toEqual({ kind: "user", userId: b });
    expect(parseDocName(`room:dm-${a}-${b}/0`)).toEqual({
      kind: "segment",
      roomId: `dm-${a}-${b}`,
      segment: 0,
    });
    for (const bad of [
      "",
      "room:",
      `room:${a}/01`,
      `room:${a}/-1`,
      `room:${a.toUpperCase()}`,
      "room:../x",
      `user:${a} `,
      "Directory",
    ])
      expect(parseDocName(bad), bad).toBeNull();
  });
  it("names a direct conversation the same way from either side", () => {
    expect(dmRoomId(a, b)).toBe(dmRoomId(b, a));
    expect(dmParticipants(dmRoomId(b, a))).toEqual([a, b]);
    expect(dmParticipants(a)).toBeNull();
  });
  it("makes ids of the documented shape", () => {
    const ids = new Set(Array.from({ length: 1000 }, newId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(isId(id)).toBe(true);
  });
});
