/**
 * How long to wait before the next attempt to reach the sync server: doubling from one second up to
 * thirty, with "equal jitter" (half of each wait is random) so that every device of a company does not
 * knock at the same moment when the server comes back.
 */

export const FIRST_RETRY_MS = 1_000;
export const LONGEST_RETRY_MS = 30_000;

/** The wait before retry number `failures` (1 after the first failed attempt). */
export function reconnectDelay(failures: number, random: () => number = Math.random): number {
  const doubled = FIRST_RETRY_MS * 2 ** Math.max(0, failures - 1);
  const ceiling = Math.min(LONGEST_RETRY_MS, doubled);
  const wait = ceiling / 2 + random() * (ceiling / 2);
  return Math.round(Math.max(FIRST_RETRY_MS, wait));
}
