import { loadavg } from "node:os";

export interface Percentiles {
  samples: number;
  expected: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function percentiles(values: number[], expected: number): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return {
    samples: sorted.length,
    expected,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The machine's 1-minute load average: how busy the shared machine was around a measurement. */
export function loadAverage(): number {
  return loadavg()[0]!;
}

/** The load average at a scenario's start and end. */
export interface Load {
  start: number;
  end: number;
}
