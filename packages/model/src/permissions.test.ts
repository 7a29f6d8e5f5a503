import { describe, expect, it } from "vitest";
import { canAddPeople, canChangeMessage, canManageRoom, canOpenRoom } from "./permissions.ts";

describe("permissions", () => {
  it("a message is changed by its author only, and lines about the room by nobody", () => {
    expect(canChangeMessage({ author: "a" }, "a")).toBe(true);
    expect(canChangeMessage({ author: "a" }, "b")).toBe(false);
    expect(canChangeMessage({ author: "a", event: { type: "member-added", userId: "b" } }, "a")).toBe(false);
  });
  it("the creator manages a room; nobody manages a DM", () => {
    expect(canManageRoom({ kind: "private", createdBy: "a" }, "a")).toBe(true);
    expect(canManageRoom({ kind: "channel", createdBy: "a" }, "b")).toBe(false);
    expect(canManageRoom({ kind: "dm", createdBy: "a" }, "a")).toBe(false);
  });
  it("members add people to rooms that are not DMs or archived", () => {
    expect(canAddPeople({ kind: "private", archived: false }, true)).toBe(true);
    expect(canAddPeople({ kind: "private", archived: false }, false)).toBe(false);
    expect(canAddPeople({ kind: "dm", archived: false }, true)).toBe(false);
    expect(canAddPeople({ kind: "channel", archived: true }, true)).toBe(false);
  });
  it("private rooms and DMs open for members only; a public room for anyone", () => {
    expect(canOpenRoom({ kind: "private" }, false)).toBe(false);
    expect(canOpenRoom({ kind: "dm" }, false)).toBe(false);
    expect(canOpenRoom({ kind: "channel" }, false)).toBe(true);
    expect(canOpenRoom({ kind: "private" }, true)).toBe(true);
  });
});
