import { describe, expect, it } from "vitest";
import { describeFile, fileTypeName, looksLikeImage } from "./fileKinds";

describe("describing a file", () => {
  it("names the type the server detected, else by the file's extension", () => {
    expect(describeFile({ name: "report.pdf", size: 1.2 * 1024 * 1024, type: "application/pdf" })).toBe(
      "1.2 MB · PDF",
    );
    expect(fileTypeName("application/octet-stream", "data.parquet")).toBe("PARQUET");
    expect(fileTypeName("application/octet-stream", "README")).toBe("File");
    expect(fileTypeName("image/x-icon", "favicon")).toBe("Image");
    expect(fileTypeName("IMAGE/PNG", "x")).toBe("PNG image");
  });
  it("previews only raster images a browser shows", () => {
    expect(looksLikeImage("image/png")).toBe(true);
    expect(looksLikeImage("image/svg+xml")).toBe(false);
    expect(looksLikeImage("")).toBe(false);
  });
});
