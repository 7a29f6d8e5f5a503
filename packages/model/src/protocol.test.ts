import { describe, expect, it } from "vitest";
import { CLOSE_KINDS, closeReason, isOpenRefusal, parseCloseReason } from "./protocol.ts";

describe("the protocol's close reasons", () => {
  it("read back as they were written, for every kind", () => {
    for (const kind of CLOSE_KINDS)
      expect(parseCloseReason(closeReason(kind, "a message's author must be its sender"))).toEqual({
        kind,
        explanation: "a message's author must be its sender",
      });
  });

  it("fit a WebSocket close frame, and a reason of nobody's kind is nothing of ours", () => {
    expect(closeReason("forbidden-write", "x".repeat(500)).length).toBe(120);
    expect(parseCloseReason("provider_initiated")).toBeNull();
    expect(parseCloseReason("forbidden-writer: no")).toBeNull();
    expect(isOpenRefusal("too-many-documents")).toBe(true);
    expect(isOpenRefusal("nope")).toBe(false);
  });
});
