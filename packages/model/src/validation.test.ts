import { describe, expect, it } from "vitest";
import {
  displayNameProblem,
  MAX_DISPLAY_NAME_LENGTH,
  MAX_STATUS_LENGTH,
  normalizeProfileText,
  statusProblem,
} from "./validation.ts";

describe("display names", () => {
  it("takes 1–64 characters of anything printable, emoji counted as one", () => {
    expect(displayNameProblem("A")).toBeNull();
    expect(displayNameProblem("Ada Lovelace 🧮")).toBeNull();
    expect(displayNameProblem("é".repeat(MAX_DISPLAY_NAME_LENGTH))).toBeNull();
    expect(displayNameProblem("🙂".repeat(MAX_DISPLAY_NAME_LENGTH))).toBeNull();
  });

  it("refuses spaces only (once trimmed), with a sentence saying so", () => {
    const name = normalizeProfileText("    ");
    expect(name).toBe("");
    expect(displayNameProblem(name)).toBe("Display name cannot be empty or only spaces.");
  });

  it("refuses 10,000 characters, saying the limit and the length", () => {
    expect(displayNameProblem("x".repeat(10_000))).toBe(
      "Display name must be at most 64 characters (this one has 10,000).",
    );
    expect(displayNameProblem("x".repeat(MAX_DISPLAY_NAME_LENGTH + 1))).toMatch(/at most 64/);
  });

  it("refuses control characters and bidirectional overrides", () => {
    for (const bad of ["a\nb", "a\tb", "a\u0000b", "a\u007fb", "evil\u202eecila", "x\u2066y"])
      expect(displayNameProblem(bad)).toMatch(/control characters/);
  });
});

describe("statuses", () => {
  it("may be empty (no status) and up to 100 characters", () => {
    expect(statusProblem("")).toBeNull();
    expect(statusProblem("In a meeting until 3")).toBeNull();
    expect(statusProblem("s".repeat(MAX_STATUS_LENGTH))).toBeNull();
  });

  it("refuses more than 100 characters and control characters", () => {
    expect(statusProblem("s".repeat(101))).toBe("Status must be at most 100 characters (this one has 101).");
    expect(statusProblem("line\nbreak")).toMatch(/control characters/);
  });
});
