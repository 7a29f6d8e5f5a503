import { describe, expect, it } from "vitest";
import { fileProblem, pastedName } from "./chosenFiles";

describe("a chosen file", () => {
  it("is judged as the server would: empty, over the limit (once known), a bad name", () => {
    const limit = 2 * 1024 * 1024;
    expect(fileProblem("notes.txt", 0, limit)).toMatch(/empty/);
    expect(fileProblem("big.bin", 3 * 1024 * 1024, limit)).toBe(
      "This file is 3 MB; this server takes files up to 2 MB.",
    );
    expect(fileProblem("exact.bin", limit, limit)).toBeNull();
    expect(fileProblem("big.bin", 3 * 1024 * 1024, null)).toBeNull();
    expect(fileProblem("a/b.pdf", 10, limit)).toMatch(/cannot contain \//);
  });

  it("pasted without a name of its own gets one from the time", () => {
    const at = new Date(2026, 11, 7, 9, 5, 3);
    expect(pastedName(new File(["x"], "image.png", { type: "image/png" }), at)).toBe(
      "Pasted image 2026-12-07 09.05.03.png",
    );
    expect(pastedName(new File(["x"], "", { type: "image/jpeg" }), at)).toBe(
      "Pasted image 2026-12-07 09.05.03.jpg",
    );
    expect(pastedName(new File(["x"], "diagram.png", { type: "image/png" }), at)).toBe("diagram.png");
  });
});
