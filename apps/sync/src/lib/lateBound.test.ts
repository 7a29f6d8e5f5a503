import { describe, expect, it } from "vitest";
import { LateBound } from "./lateBound.ts";

describe("LateBound", () => {
  it("says so when read before it is built, and refuses a second part", () => {
    const handle = new LateBound<{ name: string }>("the part");
    expect(handle.peek()).toBeUndefined();
    expect(() => handle.get()).toThrow("the part is used before it is built");
    const part = { name: "one" };
    handle.set(part);
    expect(handle.get()).toBe(part);
    expect(() => handle.set({ name: "two" })).toThrow("the part is set twice");
    expect(handle.get()).toBe(part);
  });
});
