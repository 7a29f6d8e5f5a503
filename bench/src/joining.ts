import { RoomsSession } from "./session.ts";
import { type Load, loadAverage, median, sleep } from "./stats.ts";
import type { DeliveryTarget } from "./targets.ts";

export interface JoinResult {
  /** From the first of `devices` connecting, all at once, until the last was in step, ms. */
  joinMs: number;
  /** After every device dropped its connection, the server still running: from all reconnecting at once until all were in step again, ms. */
  reconnectMs: number;
}

/** How long the devices stay away before reconnecting: a network outage, the server keeps running. */
const OUTAGE_MS = 1_000;

/**
 * A join storm and a reconnect storm: `rooms` rooms of `devicesPerRoom` devices (each opening what
 * the app opens) connect all at once; then every device drops its connection and, a second later,
 * all reconnect at once, each with the documents it already holds (so only what changed is sent).
 */
export async function joinAndReconnect(
  target: DeliveryTarget,
  options: { rooms: number; devicesPerRoom: number },
): Promise<JoinResult> {
  const session = await RoomsSession.open(
    target,
    Array.from({ length: options.rooms }, () => ({ devices: options.devicesPerRoom, writers: 1 })),
    { parallel: Number.POSITIVE_INFINITY },
  );
  try {
    await sleep(2_000);
    const devices = session.devices.flat();
    await Promise.all(devices.map((device) => device.disconnect()));
    await sleep(OUTAGE_MS);
    const started = performance.now();
    await Promise.all(devices.map((device) => device.reconnect()));
    return { joinMs: session.connectMs, reconnectMs: performance.now() - started };
  } finally {
    session.close();
  }
}

/** `joinAndReconnect` for every target, the targets taking turns round by round; medians. */
export async function joinRounds(
  targets: readonly DeliveryTarget[],
  options: { rooms: number; devicesPerRoom: number },
  rounds: number,
): Promise<Array<JoinResult & { rounds: JoinResult[]; load: Load }>> {
  const results = targets.map((): JoinResult[] => []);
  const start = loadAverage();
  for (let round = 0; round < rounds; round++)
    for (let turn = 0; turn < targets.length; turn++) {
      if (round > 0 || turn > 0) await sleep(5_000);
      const which = (round + turn) % targets.length;
      results[which]!.push(await joinAndReconnect(targets[which]!, options));
    }
  const end = loadAverage();
  return results.map((rounds) => ({
    joinMs: median(rounds.map((r) => r.joinMs)),
    reconnectMs: median(rounds.map((r) => r.reconnectMs)),
    rounds,
    load: { start, end },
  }));
}
