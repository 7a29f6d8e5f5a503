import type { CpuWindow } from "./cpu.ts";
import { latencyOf, RoomsSession } from "./session.ts";
import { type Load, loadAverage, median, type Percentiles, sleep } from "./stats.ts";
import type { DeliveryTarget, Opens } from "./targets.ts";

/** A delivery scenario: devices in rooms, one writer per room, a steady stream of messages. */
export interface DeliveryScenario {
  rooms: number;
  devicesPerRoom: number;
  /** Messages a second into all rooms together, spread evenly over the rooms and over time. */
  perSecond: number;
  seconds: number;
  /** What each device opens (see Target.connect); "app" unless said otherwise. */
  opens?: Opens;
  /** How many people the devices belong to (targets.ts DEFAULT_PEOPLE unless said). */
  people?: number;
}

export interface DeliveryResult {
  latency: Percentiles;
  /** From the first connection attempt until every device was in step, ms. */
  syncAllMs: number;
  /** Server memory growth per connected device, bytes (documents of the rooms included). */
  bytesPerDevice: number;
  /** Messages sent in the measured window. */
  sent: number;
  cpu: CpuWindow;
  load: Load;
  /** Frames the devices received in the measured window (any server). */
  frames: number;
  /** Our server's counters over the measured window (see Measurement.counters). */
  counters?: Map<string, number>;
}

/** Pause between rounds: longer than our server keeps written documents open (3 s) and then stores them. */
const ROUND_SETTLE_MS = 5_000;

/**
 * `delivery` run `rounds` times on fresh rooms for every target, the targets taking turns round by
 * round (and who goes first turning too): on a shared virtual machine the host's slow spells come and
 * go over tens of seconds, and with each server's rounds run back to back a slow spell fell on one
 * server's rounds only, so the ratio said more about the moment than about the servers. Each figure is
 * the median of a target's rounds (samples add up; memory per device is its first round's, before
 * anything else was loaded).
 */
export async function deliveryRounds(
  targets: readonly DeliveryTarget[],
  scenario: DeliveryScenario,
  rounds: number,
): Promise<Array<DeliveryResult & { rounds: DeliveryResult[] }>> {
  const results = targets.map((): DeliveryResult[] => []);
  for (let round = 0; round < rounds; round++)
    for (let turn = 0; turn < targets.length; turn++) {
      // The last round's devices are gone: let its server store and unload what they left first,
      // so it neither weighs on the next round nor on another server's.
      if (round > 0 || turn > 0) await sleep(ROUND_SETTLE_MS);
      const which = (round + turn) % targets.length;
      results[which]!.push(await delivery(targets[which]!, scenario));
    }
  return results.map(medianOfRounds);
}

function medianOfRounds(results: DeliveryResult[]): DeliveryResult & { rounds: DeliveryResult[] } {
  const of = (pick: (r: DeliveryResult) => number) => median(results.map(pick));
  return {
    latency: {
      samples: results.reduce((sum, r) => sum + r.latency.samples, 0),
      expected: results.reduce((sum, r) => sum + r.latency.expected, 0),
      p50: of((r) => r.latency.p50),
      p95: of((r) => r.latency.p95),
      p99: of((r) => r.latency.p99),
      max: Math.max(...results.map((r) => r.latency.max)),
    },
    syncAllMs: of((r) => r.syncAllMs),
    bytesPerDevice: results[0]!.bytesPerDevice,
    sent: results.reduce((sum, r) => sum + r.sent, 0),
    // CPU adds up over the rounds: per message and per second are ratios of the sums.
    cpu: {
      seconds: results.reduce((sum, r) => sum + r.cpu.seconds, 0),
      server: results.reduce((sum, r) => sum + r.cpu.server, 0),
      postgres: results.reduce((sum, r) => sum + r.cpu.postgres, 0),
      bench: results.reduce((sum, r) => sum + r.cpu.bench, 0),
    },
    load: { start: results[0]!.load.start, end: results.at(-1)!.load.end },
    frames: results.reduce((sum, r) => sum + r.frames, 0),
    counters: results[0]!.counters && sumCounters(results.map((r) => r.counters!)),
    rounds: results,
  };
}

/**
 * `rooms` rooms with `devicesPerRoom` devices each; in every room one device writes, the stream
 * spread evenly over rooms and time, and every other device in the room records how long each
 * message took to arrive.
 */
export async function delivery(target: DeliveryTarget, scenario: DeliveryScenario): Promise<DeliveryResult> {
  const load = loadAverage();
  // One throwaway connection first, so the server's lazy start-up is not counted as memory per device.
  const [first] = await target.prepareRooms(1, scenario.people);
  (await target.connect(first!, 0, scenario.opens ?? "app", scenario.people)).destroy();
  await sleep(300);
  const rssBefore = target.server.rss();
  const session = await RoomsSession.open(
    target,
    Array.from({ length: scenario.rooms }, () => ({ devices: scenario.devicesPerRoom, writers: 1 })),
    { opens: scenario.opens, people: scenario.people },
  );
  try {
    await sleep(500);
    const bytesPerDevice = (target.server.rss() - rssBefore) / session.deviceCount;
    await session.warmUp();
    const all = session.rooms.map((_, r) => r);
    const measured = await session.measure([{ rooms: all, perSecond: scenario.perSecond }], scenario.seconds);
    return {
      latency: latencyOf(measured),
      syncAllMs: session.connectMs,
      bytesPerDevice,
      sent: measured.sent.reduce((sum, n) => sum + n, 0),
      cpu: measured.cpu,
      load: { start: load, end: loadAverage() },
      frames: measured.frames,
      counters: measured.counters,
    };
  } finally {
    session.close();
  }
}

function sumCounters(all: Array<Map<string, number>>): Map<string, number> {
  const sum = new Map<string, number>();
  for (const counters of all)
    for (const [name, value] of counters) sum.set(name, (sum.get(name) ?? 0) + value);
  return sum;
}

/** Server CPU as a share of one core over a window (Postgres's backends apart), %. */
export const serverPercent = (cpu: CpuWindow) => (100 * cpu.server) / cpu.seconds;
export const postgresPercent = (cpu: CpuWindow) => (100 * cpu.postgres) / cpu.seconds;
export const benchPercent = (cpu: CpuWindow) => (100 * cpu.bench) / cpu.seconds;
/** Server CPU per message sent, ms (Postgres's backends included). */
export const cpuPerMessage = (cpu: CpuWindow, sent: number) => (1000 * (cpu.server + cpu.postgres)) / sent;
