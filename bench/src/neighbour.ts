import { DEFAULT_LIMITS } from "../../apps/sync/src/limits/policy.ts";
import { latencyOf, RoomsSession } from "./session.ts";
import { type Load, loadAverage, median, type Percentiles, sleep } from "./stats.ts";
import type { DeliveryTarget } from "./targets.ts";

/**
 * The most messages one account may send a second under the server's rate limits (limits/policy.ts).
 * The bench runs our server with RATE_LIMITS=off, so the busy room's writers keep to it themselves.
 */
export const ALLOWANCE_PER_SECOND = DEFAULT_LIMITS.account.messagesPerMinute / 60;

export interface NeighbourOptions {
  /** Accounts writing in the busy room, each at its allowance. */
  busyWriters: number;
  /** Devices in the busy room beside its writers (they receive). */
  busyListeners: number;
  /** Devices in the measured room, one of them writing at `measuredPerSecond`. */
  measuredDevices: number;
  measuredPerSecond: number;
  seconds: number;
}

export interface NeighbourResult {
  /** The measured room's delivery while its neighbour is quiet (no messages). */
  quiet: Percentiles;
  /** The same room's delivery while its neighbour's writers send at their allowance. */
  busy: Percentiles;
  rounds: Array<{ quiet: Percentiles; busy: Percentiles }>;
  load: Load;
}

/**
 * A busy neighbour: in room 0 several people (different accounts) send as fast as the rate limits
 * let them, while room 1's delivery is measured; and the same room's delivery with room 0 quiet.
 * The two rooms have no member in common (devices are numbered room by room: different accounts).
 */
async function neighbourOnce(target: DeliveryTarget, options: NeighbourOptions) {
  const session = await RoomsSession.open(target, [
    { devices: options.busyWriters + options.busyListeners, writers: options.busyWriters },
    { devices: options.measuredDevices, writers: 1 },
  ]);
  try {
    await session.warmUp();
    const measured = { rooms: [1], perSecond: options.measuredPerSecond };
    const quiet = await session.measure([measured], options.seconds);
    await sleep(2_000);
    const busy = await session.measure(
      [measured, { rooms: [0], perSecond: options.busyWriters * ALLOWANCE_PER_SECOND }],
      options.seconds,
    );
    return { quiet: latencyOf(quiet, [1]), busy: latencyOf(busy, [1]) };
  } finally {
    session.close();
  }
}

export async function neighbourRounds(
  targets: readonly DeliveryTarget[],
  options: NeighbourOptions,
  rounds: number,
): Promise<NeighbourResult[]> {
  const start = loadAverage();
  const results = targets.map((): Array<{ quiet: Percentiles; busy: Percentiles }> => []);
  for (let round = 0; round < rounds; round++)
    for (let turn = 0; turn < targets.length; turn++) {
      if (round > 0 || turn > 0) await sleep(5_000);
      const which = (round + turn) % targets.length;
      results[which]!.push(await neighbourOnce(targets[which]!, options));
    }
  const end = loadAverage();
  const medianOf = (list: Percentiles[]): Percentiles => ({
    samples: list.reduce((sum, p) => sum + p.samples, 0),
    expected: list.reduce((sum, p) => sum + p.expected, 0),
    p50: median(list.map((p) => p.p50)),
    p95: median(list.map((p) => p.p95)),
    p99: median(list.map((p) => p.p99)),
    max: Math.max(...list.map((p) => p.max)),
  });
  return results.map((rounds) => ({
    quiet: medianOf(rounds.map((r) => r.quiet)),
    busy: medianOf(rounds.map((r) => r.busy)),
    rounds,
    load: { start, end },
  }));
}
