import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * warmDevice.ts is the build's small first-screen entry (vite.config.ts), run before the main chunk:
 * whatever it imports is loaded and evaluated before the app, so it must reach only small modules of
 * our own, never Solid, Yjs, the model or any other package.
 */
const here = dirname(fileURLToPath(import.meta.url));

function runtimeImports(file: string): string[] {
  const source = readFileSync(file, "utf8");
  const found: string[] = [];
  for (const match of source.matchAll(/^\s*import\s+(type\s+)?(?:[^"';]*?\s+from\s+)?["']([^"']+)["']/gm))
    if (!match[1]) found.push(match[2]!);
  return found;
}

function graph(entry: string): { files: string[]; packages: string[] } {
  const files: string[] = [];
  const packages: string[] = [];
  const visit = (file: string) => {
    if (files.includes(file)) return;
    files.push(file);
    for (const specifier of runtimeImports(file)) {
      if (!specifier.startsWith(".")) packages.push(specifier);
      else visit(resolve(dirname(file), specifier.endsWith(".ts") ? specifier : `${specifier}.ts`));
    }
  };
  visit(entry);
  return { files, packages };
}

describe("the first-screen entry", () => {
  it("imports no package, only a few small modules of the app", () => {
    const { files, packages } = graph(resolve(here, "warmDevice.ts"));
    expect(packages).toEqual([]);
    expect(files.map((file) => file.slice(here.length + 1)).sort()).toEqual([
      "device/deviceDatabase.ts",
      "device/deviceUser.ts",
      "device/firstScreenRows.ts",
      "device/tailKey.ts",
      "lib/afterPaint.ts",
      "lib/routes.ts",
      "warmDevice.ts",
    ]);
  });
});
