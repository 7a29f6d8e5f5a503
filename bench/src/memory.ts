import { RoomsSession } from "./session.ts";
import { median, sleep } from "./stats.ts";
import type { DeliveryTarget } from "./targets.ts";

export interface IdleMemory {
  /** Server resident memory with half the devices connected and idle, bytes (NaN when the heap was measured). */
  rssHalf: number;
  /** Server resident memory with every device connected and idle, bytes. */
  rssConnected: number;
  /** Growth per connected idle device between the two, bytes. */
  bytesPerDevice: number;
  /**
   * Growth of the live JavaScript heap per connected idle device between the two (heap snapshots);
   * NaN for a server that is not Node.
   */
  heapPerDevice: number;
}

/** Resident memory read a few times over two seconds, the median: a collection in between moves one reading. */
async function settledRss(target: DeliveryTarget): Promise<number> {
  const readings: number[] = [];
  for (let i = 0; i < 5; i++) {
    await sleep(500);
    readings.push(target.server.rss());
  }
  return median(readings);
}

/**
 * Memory per idle connected device, on a fresh server process: `rooms` rooms of `devicesPerRoom`
 * devices, each opening what the app opens, connect in two halves and stay idle; the growth of the
 * server's resident memory from the first half to both, divided by the second half's devices. What
 * the first devices cost a fresh process once (compiled code, the heap's first growth, the storage's
 * caches) is in the first half's reading, not in the growth; a collection that frees what a warm-up
 * left behind would otherwise show as negative memory per device.
 */
export async function idleMemory(
  target: DeliveryTarget,
  options: { rooms: number; devicesPerRoom: number; heap?: boolean },
): Promise<IdleMemory> {
  const half = Math.floor(options.rooms / 2);
  const plan = (rooms: number) =>
    Array.from({ length: rooms }, () => ({ devices: options.devicesPerRoom, writers: 1 }));
  const first = await RoomsSession.open(target, plan(half));
  let second: RoomsSession | undefined;
  try {
    await first.warmUp();
    // A heap snapshot takes much memory of its own, which stays resident: one process measures one or the other.
    const measure = async () =>
      options.heap
        ? { rss: Number.NaN, heap: (await target.server.liveHeap?.()) ?? Number.NaN }
        : { rss: await settledRss(target), heap: Number.NaN };
    const { rss: rssHalf, heap: heapHalf } = await measure();
    // Device numbers go on from the first half's, so the second half's devices are new devices.
    second = await RoomsSession.open(target, plan(options.rooms - half), { firstIndex: first.deviceCount });
    await second.warmUp();
    const { rss: rssConnected, heap: heapConnected } = await measure();
    return {
      rssHalf,
      rssConnected,
      bytesPerDevice: (rssConnected - rssHalf) / second.deviceCount,
      heapPerDevice: (heapConnected - heapHalf) / second.deviceCount,
    };
  } finally {
    first.close();
    second?.close();
  }
}

/** Server memory per loaded room document: one device opens `count` rooms, then all close. */
export async function memoryPerRoom(target: DeliveryTarget, count: number): Promise<number> {
  const warmUp = 10;
  const rooms = await target.prepareRooms(warmUp + count);
  // A few rooms opened and closed first, so a fresh process's first allocations (compiled code, the
  // heap's first growth) are not counted as memory per room.
  for (const docName of rooms.slice(0, warmUp)) (await target.connect(docName, 1)).destroy();
  await sleep(1_000);
  const before = target.server.rss();
  const devices = [];
  for (const docName of rooms.slice(warmUp)) devices.push(await target.connect(docName, 1));
  await sleep(500);
  const bytesPerRoom = (target.server.rss() - before) / count;
  for (const device of devices) device.destroy();
  return bytesPerRoom;
}
