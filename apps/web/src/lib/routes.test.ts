import { describe, expect, it } from "vitest";
import { dmPath, matchRoute, roomPath, safeNext, THREADS_PATH, threadPath } from "./routes";

describe("routes", () => {
  it("opens a room, a direct conversation and the followed threads", () => {
    expect(matchRoute("/r/abc")).toEqual({ name: "room", roomId: "abc" });
    expect(matchRoute("/dm/bob")).toEqual({ name: "dm", username: "bob" });
    expect(matchRoute(THREADS_PATH)).toEqual({ name: "threads" });
  });

  it("opens a thread beside its room or direct conversation", () => {
    expect(matchRoute("/r/abc/t/m1")).toEqual({ name: "room", roomId: "abc", threadId: "m1" });
    expect(matchRoute(threadPath(roomPath("abc"), "m1"))).toEqual({
      name: "room",
      roomId: "abc",
      threadId: "m1",
    });
    expect(matchRoute(threadPath(dmPath("bob"), "m 2"))).toEqual({
      name: "dm",
      username: "bob",
      threadId: "m 2",
    });
  });

  it("finds nothing at a broken or partial thread address", () => {
    expect(matchRoute("/r/abc/t/")).toEqual({ name: "not-found" });
    expect(matchRoute("/r/abc/t/%E0%A4%A")).toEqual({ name: "not-found" });
    expect(matchRoute("/r/abc/x/m1")).toEqual({ name: "not-found" });
  });

  it("continues to a thread after signing in", () => {
    expect(safeNext("/r/abc/t/m1")).toBe("/r/abc/t/m1");
    expect(safeNext("/threads")).toBe("/threads");
  });
});
