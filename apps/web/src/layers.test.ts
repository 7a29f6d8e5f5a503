import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The house plan of apps/web/src (README.md): imports run downward only, and never in a circle.
 * A new top-level folder must be given its place in LAYERS before anything in it can be imported.
 */
const here = dirname(fileURLToPath(import.meta.url));

/** Top to bottom; "." is the entries at the top of src itself. */
const LAYERS = [
  ".",
  "pages",
  "components",
  "search",
  "emoji",
  "ui",
  "state",
  "sync",
  "device",
  "lib",
] as const;

type Graph = ReadonlyMap<string, readonly string[]>;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

/** Every module a file names: static imports and re-exports (type-only too), `import()`, `new URL(…)`. */
function specifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, "");
  const found: string[] = [];
  const patterns = [
    /\bfrom\s*["']([^"']+)["']/g,
    /^\s*import\s*["']([^"']+)["']/gm,
    /\bimport\(\s*["']([^"']+)["']\s*\)/g,
    /\bnew URL\(\s*["']([^"']+)["']\s*,\s*import\.meta\.url/g,
  ];
  for (const pattern of patterns) for (const match of code.matchAll(pattern)) found.push(match[1]!);
  return found;
}

function resolveModule(from: string, specifier: string): string | null {
  const base = resolve(dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, "index.ts")]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not this one.
    }
  }
  return null;
}

/** The app's own modules and which of them each imports (paths relative to src, "/"-separated). */
function importGraph(): { graph: Graph; unresolved: string[] } {
  const graph = new Map<string, string[]>();
  const unresolved: string[] = [];
  const name = (path: string) => relative(here, path).split("\\").join("/");
  for (const file of sourceFiles(here)) {
    const targets: string[] = [];
    for (const specifier of specifiers(readFileSync(file, "utf8"))) {
      if (!specifier.startsWith(".")) continue;
      if (/\.(css|svg|png|json)$/.test(specifier)) continue;
      const target = resolveModule(file, specifier);
      if (target) targets.push(name(target));
      else unresolved.push(`${name(file)} → ${specifier}`);
    }
    graph.set(name(file), targets);
  }
  return { graph, unresolved };
}

function layerOf(file: string): string {
  const slash = file.indexOf("/");
  return slash < 0 ? "." : file.slice(0, slash);
}

/** Imports from a lower layer up to a higher one, and files in no known layer. */
function upwardImports(graph: Graph): string[] {
  const rank = (file: string) => (LAYERS as readonly string[]).indexOf(layerOf(file));
  const problems: string[] = [];
  for (const [file, targets] of graph) {
    if (rank(file) < 0) problems.push(`${file} is in no layer (add its folder to LAYERS and README.md)`);
    for (const target of targets)
      if (rank(target) < rank(file))
        problems.push(`${file} (${layerOf(file)}) imports ${target} (${layerOf(target)}), a higher layer`);
  }
  return problems;
}

/** Each import cycle once, as the chain of files that closes it. */
function importCycles(graph: Graph): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, "open");
    stack.push(file);
    for (const target of graph.get(file) ?? []) {
      if (state.get(target) === "open") cycles.push([...stack.slice(stack.indexOf(target)), target]);
      else if (!state.has(target)) visit(target);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return cycles;
}

describe("the layers of apps/web/src", () => {
  const { graph, unresolved } = importGraph();

  it("finds every module the app imports", () => {
    expect(graph.size).toBeGreaterThan(50);
    expect(unresolved).toEqual([]);
  });

  it("has no import from a lower layer up to a higher one", () => {
    expect(upwardImports(graph)).toEqual([]);
  });

  it("has no import cycle", () => {
    expect(importCycles(graph).map((cycle) => cycle.join(" → "))).toEqual([]);
  });

  it("would catch an upward import and a cycle", () => {
    const bad: Graph = new Map([
      ["device/a.ts", ["state/b.ts"]],
      ["state/b.ts", ["state/c.ts"]],
      ["state/c.ts", ["state/b.ts"]],
      ["attic/d.ts", []],
    ]);
    expect(upwardImports(bad)).toEqual([
      "device/a.ts (device) imports state/b.ts (state), a higher layer",
      "attic/d.ts is in no layer (add its folder to LAYERS and README.md)",
    ]);
    expect(importCycles(bad)).toEqual([["state/b.ts", "state/c.ts", "state/b.ts"]]);
  });
});
