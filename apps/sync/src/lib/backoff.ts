/**
 * A wait that doubles with each failure in a row: `firstMs` after the first, then 2×, 4×… up to
 * `maxMs`. Retrying at once would hammer a database that is down; a fixed wait would either hammer
 * it or leave a short outage unnoticed for long.
 */
export function backoffMs(firstMs: number, failures: number, maxMs: number): number {
  // Past 30 doublings the cap is reached anyway (and 2 ** n must stay finite).
  return Math.min(firstMs * 2 ** Math.min(Math.max(failures - 1, 0), 30), maxMs);
}
