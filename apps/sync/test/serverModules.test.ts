import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);

/**
 * The modules a fresh Node process loads for the server's entry (main.ts's imports, without starting
 * it): every URL that resolution returns, recorded by a module hook.
 */
async function modulesLoadedBy(entries: readonly string[]): Promise<string[]> {
  const script = `
    import { registerHooks } from "node:module";
    const loaded = [];
    registerHooks({
      resolve(specifier, context, next) {
        const result = next(specifier, context);
        loaded.push(result.url);
        return result;
      },
    });
    for (const entry of ${JSON.stringify(entries)}) await import(entry);
    console.log(JSON.stringify(loaded));
  `;
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], {
    cwd: fileURLToPath(new URL("..", import.meta.url)),
  });
  return JSON.parse(stdout.trim().split("\n").at(-1)!);
}

describe("the server's modules", () => {
  // The search engine belongs to the web app's worker: the server never searches, so it must not pay
  // for MiniSearch (@chat/model/search is a subpath of its own, outside the model's main entry).
  it("do not include the search engine", async () => {
    const entries = ["server.ts", "db/open.ts", "config.ts", "log.ts", "process/processGuards.ts"].map(
      (path) => new URL(`../src/${path}`, import.meta.url).href,
    );
    const loaded = await modulesLoadedBy(entries);
    expect(loaded.some((url) => url.includes("/@chat/model/") || url.includes("/packages/model/"))).toBe(
      true,
    );
    expect(loaded.filter((url) => /minisearch|\/model\/src\/search\.ts$/i.test(url))).toEqual([]);
  });
});
