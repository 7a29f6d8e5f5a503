import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { Load } from "./stats.ts";

/** Formatting of the figures and the sections of docs/benchmarks.md. */

export const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(1)} ms` : "n/a");
export const kib = (bytes: number) => (Number.isFinite(bytes) ? `${(bytes / 1024).toFixed(1)} KiB` : "n/a");
export const mib = (bytes: number) =>
  Number.isFinite(bytes) ? `${(bytes / 2 ** 20).toFixed(0)} MiB` : "n/a";
export const percent = (value: number) => (Number.isFinite(value) ? `${value.toFixed(0)} %` : "n/a");
export const ratio = (value: number, reference: number) =>
  Number.isFinite(value) && Number.isFinite(reference) && reference > 0
    ? `${(value / reference).toFixed(2)}×`
    : "n/a";
export const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
export const loadText = (load: Load) =>
  `load average ${load.start.toFixed(2)} at the start, ${load.end.toFixed(2)} at the end`;

/** A row of a comparison table: one figure per server, and how it compares. */
export interface Row {
  label: string;
  values: readonly number[];
  format: (value: number) => string;
  /** Cells shown instead of the formatted values (text figures); no ratio then. */
  text?: readonly string[];
}

/**
 * A table with one column per server and, for each of ours, a column "÷ <reference>": `ours` are
 * the indices of our server's columns, `reference` the index of the one they compare with.
 */
export function comparisonTable(
  names: readonly string[],
  rows: readonly Row[],
  ours: readonly number[],
  reference: number,
): string {
  const ratioHeads = ours.map((i) =>
    ours.length === 1 ? `ours ÷ ${names[reference]}` : `${names[i]} ÷ ${names[reference]}`,
  );
  const out = [
    line(["", ...names, ...(reference >= 0 ? ratioHeads : [])]),
    line(["---", ...names.map(() => "---:"), ...(reference >= 0 ? ours.map(() => "---:") : [])]),
  ];
  for (const row of rows) {
    const cells = row.text ?? row.values.map(row.format);
    const ratios =
      reference < 0 ? [] : ours.map((i) => (row.text ? "" : ratio(row.values[i]!, row.values[reference]!)));
    out.push(line([row.label, ...cells, ...ratios]));
  }
  return out.join("\n");
}

/** A section of docs/benchmarks.md: its `## heading` line and what follows up to the next one. */
export interface Section {
  heading: string;
  body: string;
}

export const sectionText = (section: Section) => `## ${section.heading}\n\n${section.body.trim()}\n`;

/**
 * Replaces the sections of the same headings in `file` (keeping the others and their order), adding
 * new ones at the end: a run of a few scenarios refreshes only theirs.
 */
export function writeSections(file: URL, sections: readonly Section[]): void {
  let text = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n";
  for (const section of sections) {
    const start = text.indexOf(`\n## ${section.heading}\n`);
    if (start === -1) {
      text = `${text.trimEnd()}\n\n${sectionText(section)}`;
      continue;
    }
    const after = text.indexOf("\n## ", start + 1);
    text = `${text.slice(0, start + 1)}${sectionText(section)}${after === -1 ? "" : `\n${text.slice(after + 1)}`}`;
  }
  writeFileSync(file, text);
}
