import type { CpuWindow } from "./cpu.ts";
import { latencyOf, RoomsSession } from "./session.ts";
import { type Load, loadAverage, type Percentiles, sleep } from "./stats.ts";
import type { DeliveryTarget } from "./targets.ts";

/** The p99 a rate must keep to count as sustained. */
export const SUSTAINED_P99_MS = 100;

export interface ThroughputStep {
  perSecond: number;
  latency: Percentiles;
  sent: number;
  cpu: CpuWindow;
  /** The first try at this rate failed; this is the second. */
  retried?: boolean;
}

export interface ThroughputResult {
  steps: ThroughputStep[];
  /** The highest rate whose p99 stayed within SUSTAINED_P99_MS with every message delivered (0: none). */
  sustained: number;
  load: Load;
}

async function stepOf(session: RoomsSession, perSecond: number, seconds: number): Promise<ThroughputStep> {
  await sleep(3_000);
  const measured = await session.measure([{ rooms: session.rooms.map((_, r) => r), perSecond }], seconds);
  return {
    perSecond,
    latency: latencyOf(measured),
    sent: measured.sent.reduce((sum, n) => sum + n, 0),
    cpu: measured.cpu,
  };
}

const holds = (step: ThroughputStep) =>
  step.latency.p99 <= SUSTAINED_P99_MS && step.latency.samples === step.latency.expected;

/**
 * Sustained throughput: `rooms` rooms of `devicesPerRoom` devices on every target at once, then the
 * rate steps up; at each rate every target sends for `seconds` in turn (who goes first turning), and
 * a target stops climbing at the first rate it cannot hold twice in a row (p99 over
 * SUSTAINED_P99_MS, or messages lost), so an overloaded server's backlog does not weigh on the
 * others' steps.
 */
export async function throughput(
  targets: readonly DeliveryTarget[],
  options: { rooms: number; devicesPerRoom: number; rates: readonly number[]; seconds: number },
  log: (line: string) => void,
): Promise<ThroughputResult[]> {
  const start = loadAverage();
  const sessions: RoomsSession[] = [];
  try {
    for (const target of targets) {
      const session = await RoomsSession.open(
        target,
        Array.from({ length: options.rooms }, () => ({ devices: options.devicesPerRoom, writers: 1 })),
      );
      sessions.push(session);
      await session.warmUp();
    }
    const steps = targets.map((): ThroughputStep[] => []);
    const climbing = targets.map(() => true);
    for (const [s, perSecond] of options.rates.entries())
      for (let turn = 0; turn < targets.length; turn++) {
        const which = (s + turn) % targets.length;
        if (!climbing[which]) continue;
        const step = await stepOf(sessions[which]!, perSecond, options.seconds);
        // A shared machine has slow spells of a few seconds: a rate that fails is tried once more
        // before the server stops climbing, and the second try is what counts.
        const counted = holds(step)
          ? step
          : { ...(await stepOf(sessions[which]!, perSecond, options.seconds)), retried: true };
        steps[which]!.push(counted);
        log(
          `  ${targets[which]!.name} at ${perSecond}/s: p99 ${counted.latency.p99.toFixed(1)} ms (${counted.latency.samples}/${counted.latency.expected}), server CPU ${((100 * counted.cpu.server) / counted.cpu.seconds).toFixed(0)} %${counted.retried ? ` (second try; the first: p99 ${step.latency.p99.toFixed(1)} ms)` : ""}`,
        );
        if (!holds(counted)) climbing[which] = false;
      }
    const end = loadAverage();
    return steps.map((ladder) => {
      const firstFailure = ladder.findIndex((step) => !holds(step));
      const held = firstFailure === -1 ? ladder : ladder.slice(0, firstFailure);
      return { steps: ladder, sustained: held.at(-1)?.perSecond ?? 0, load: { start, end } };
    });
  } finally {
    for (const session of sessions) session.close();
  }
}
