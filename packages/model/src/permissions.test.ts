import { describe, expect, it } from "vitest";
import {
  canAddPeople,
  canChangeMessage,
  canManageRoom,
  canOpenRoom,
  canRemoveAsAdmin,
  canRemoveMember,
  leaveProblem,
} from "./permissions.ts";

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
    expect(canManageRoom({ kind: "group", createdBy: "a" }, "a")).toBe(false);
  });
  it("the workspace admin manages any room but a DM, adds people to any room, and removes others' messages", () => {
    expect(canManageRoom({ kind: "private", createdBy: "a" }, "admin", true)).toBe(true);
    expect(canManageRoom({ kind: "dm", createdBy: "a" }, "admin", true)).toBe(false);
    expect(canAddPeople({ kind: "private", archived: false }, false, true)).toBe(true);
    expect(canAddPeople({ kind: "dm", archived: false }, false, true)).toBe(false);
    expect(canAddPeople({ kind: "channel", archived: true }, false, true)).toBe(false);
    const admin = { id: "admin", isAdmin: true };
    expect(canRemoveAsAdmin({ author: "a" }, admin)).toBe(true);
    expect(canRemoveAsAdmin({ author: "a" }, { id: "b", isAdmin: false })).toBe(false);
    expect(canRemoveAsAdmin({ author: "admin" }, admin)).toBe(false);
    expect(canRemoveAsAdmin({ author: "a", event: { type: "member-added", userId: "b" } }, admin)).toBe(
      false,
    );
  });
  it("members add people to rooms that are not DMs or archived", () => {
    expect(canAddPeople({ kind: "private", archived: false }, true)).toBe(true);
    expect(canAddPeople({ kind: "private", archived: false }, false)).toBe(false);
    expect(canAddPeople({ kind: "dm", archived: false }, true)).toBe(false);
    expect(canAddPeople({ kind: "group", archived: false }, true)).toBe(false);
    expect(canAddPeople({ kind: "channel", archived: true }, true)).toBe(false);
  });
  it("private rooms and DMs open for members only; a public room for anyone", () => {
    expect(canOpenRoom({ kind: "private" }, false)).toBe(false);
    expect(canOpenRoom({ kind: "dm" }, false)).toBe(false);
    expect(canOpenRoom({ kind: "group" }, false)).toBe(false);
    expect(canOpenRoom({ kind: "group" }, true)).toBe(true);
    expect(canOpenRoom({ kind: "channel" }, false)).toBe(true);
    expect(canOpenRoom({ kind: "private" }, true)).toBe(true);
  });
  it("the creator or the admin removes others; nobody removes the creator; a DM keeps its two", () => {
    const room = { kind: "channel" as const, createdBy: "alice" };
    expect(canRemoveMember(room, { id: "alice", isAdmin: false }, "bob")).toBe(true);
    expect(canRemoveMember(room, { id: "root", isAdmin: true }, "bob")).toBe(true);
    expect(canRemoveMember(room, { id: "carol", isAdmin: false }, "bob")).toBe(false);
    expect(canRemoveMember(room, { id: "root", isAdmin: true }, "alice")).toBe(false);
    expect(canRemoveMember(room, { id: "alice", isAdmin: false }, "alice")).toBe(false);
    expect(canRemoveMember({ kind: "dm", createdBy: "alice" }, { id: "root", isAdmin: true }, "bob")).toBe(
      false,
    );
    expect(
      canRemoveMember({ kind: "group", createdBy: "alice" }, { id: "alice", isAdmin: true }, "bob"),
    ).toBe(false);
  });
  it("anyone leaves a room but a DM, and a private room's last member archives it instead", () => {
    expect(leaveProblem({ kind: "channel" }, 1)).toBeNull();
    expect(leaveProblem({ kind: "private" }, 2)).toBeNull();
    expect(leaveProblem({ kind: "private" }, 1)).toBe("last-private-member");
    expect(leaveProblem({ kind: "dm" }, 2)).toBe("dm");
    // Slack lets people leave a group DM; so does this.
    expect(leaveProblem({ kind: "group" }, 3)).toBeNull();
    expect(leaveProblem({ kind: "group" }, 1)).toBeNull();
  });
});
