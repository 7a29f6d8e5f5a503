import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The server's parts depend on each other one way: no file imports itself back through others, and no
 * folder imports from a folder that imports from it (a projection in docs/ does not reach up into
 * userIndex/ while userIndex/ writes through docs/). A file at the top (server.ts, context.ts, log.ts)
 * counts as a part of its own. Tests are left out: they may reach anywhere.
 */
const root = dirname(fileURLToPath(import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

/** Relative imports (type-only ones too: they tie the parts together as much as any other). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^"';]*?from\s*["']([^"']+)["']/g)].map(
    (m) => m[1]!,
  );
  return specifiers.filter((s) => s.startsWith(".")).map((s) => resolve(dirname(file), s));
}

function cycles(graph: Map<string, Set<string>>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return found;
}

const files = sourceFiles(root);
const fileGraph = new Map(files.map((file) => [file, new Set(importsOf(file))]));
const name = (path: string) => relative(root, path) || ".";
/** The folder a file belongs to, or the file itself when it sits at the top. */
const part = (file: string) => (dirname(file) === root ? name(file) : name(dirname(file)));

describe("apps/sync imports", () => {
  it("has no import cycle between files", () => {
    expect(cycles(fileGraph).map((cycle) => cycle.map(name).join(" → "))).toEqual([]);
  });

  it("has no two folders importing from each other", () => {
    const folderGraph = new Map<string, Set<string>>();
    for (const [file, imports] of fileGraph) {
      const from = part(file);
      const targets = folderGraph.get(from) ?? new Set();
      for (const target of imports) if (part(target) !== from) targets.add(part(target));
      folderGraph.set(from, targets);
    }
    expect(cycles(folderGraph).map((cycle) => cycle.join(" → "))).toEqual([]);
  });
});
