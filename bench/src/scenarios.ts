import {
  createMessage,
  isMessageRecord,
  listMessages,
  listSegments,
  ROOTS,
  roomDocName,
  SEGMENT_CAPACITY,
  segmentDocName,
} from "@chat/model";
import type * as Y from "yjs";
import { type BenchDevice, type Opens, received, type Target } from "./targets.ts";

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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Connects `count` devices to `docName`s, at most `parallel` at a time. */
async function connectAll(
  target: Target,
  plan: Array<{ docName: string; index: number }>,
  parallel = 25,
  opens: Opens = "document",
) {
  const devices: BenchDevice[] = new Array(plan.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < plan.length) {
        const slot = next++;
        const { docName, index } = plan[slot]!;
        devices[slot] = await target.connect(docName, index, opens);
      }
    }),
  );
  return devices;
}

export interface DeliveryResult {
  latency: Percentiles;
  /** From the first connection attempt until every device had its document synced, ms. */
  syncAllMs: number;
  /** Server memory growth per connected device, bytes (documents of the rooms included). */
  bytesPerDevice: number;
  /**
   * The server's counters (our server only) over the timed messages, per message sent: frames sent to
   * devices, SQL statements, its own document changes... (see apps/sync/src/metrics.ts).
   */
  workPerMessage?: Map<string, number>;
  /** Frames the devices received over the timed messages, per message sent (any server). */
  framesPerMessage: number;
}

/** Pause after the warm-up message is delivered everywhere, before timing starts (see delivery). */
const WARM_UP_SETTLE_MS = 1_000;
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
  targets: readonly Target[],
  options: Parameters<typeof delivery>[1],
  rounds: number,
): Promise<Array<DeliveryResult & { rounds: DeliveryResult[] }>> {
  const results = targets.map((): DeliveryResult[] => []);
  for (let round = 0; round < rounds; round++)
    for (let turn = 0; turn < targets.length; turn++) {
      // The last round's devices are gone: let its server store and unload what they left first,
      // so it neither weighs on the next round nor on another server's.
      if (round > 0 || turn > 0) await sleep(ROUND_SETTLE_MS);
      const which = (round + turn) % targets.length;
      results[which]!.push(await delivery(targets[which]!, options));
    }
  return results.map(medianOfRounds);
}

function medianOfRounds(results: DeliveryResult[]): DeliveryResult & { rounds: DeliveryResult[] } {
  const median = (pick: (r: DeliveryResult) => number) => {
    const sorted = results.map(pick).sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]!;
  };
  return {
    latency: {
      samples: results.reduce((sum, r) => sum + r.latency.samples, 0),
      expected: results.reduce((sum, r) => sum + r.latency.expected, 0),
      p50: median((r) => r.latency.p50),
      p95: median((r) => r.latency.p95),
      p99: median((r) => r.latency.p99),
      max: Math.max(...results.map((r) => r.latency.max)),
    },
    syncAllMs: median((r) => r.syncAllMs),
    bytesPerDevice: results[0]!.bytesPerDevice,
    framesPerMessage: median((r) => r.framesPerMessage),
    rounds: results,
  };
}

/**
 * `rooms` rooms with `devicesPerRoom` devices each; in every room one device sends `messages`
 * messages, `intervalMs` apart, and every other device in the room records how long each took to
 * arrive. Senders and receivers share this process's clock.
 */
export async function delivery(
  target: Target,
  options: {
    rooms: number;
    devicesPerRoom: number;
    messages: number;
    intervalMs: number;
    /** What each device opens (see Target.connect); "app" unless said otherwise. */
    opens?: Opens;
  },
): Promise<DeliveryResult> {
  const opens = options.opens ?? "app";
  const docNames = await target.prepareRooms(options.rooms);
  // One throwaway connection first, so the server's lazy start-up is not counted as memory per device.
  for (const warmUp of await connectAll(target, [{ docName: docNames[0]!, index: 0 }], 1, opens))
    warmUp.destroy();
  await sleep(300);
  const rssBefore = target.server.rss();
  const plan = docNames.flatMap((docName, room) =>
    Array.from({ length: options.devicesPerRoom }, (_, i) => ({
      docName,
      index: room * options.devicesPerRoom + i,
    })),
  );
  const started = performance.now();
  const devices = await connectAll(target, plan, 25, opens);
  const syncAllMs = performance.now() - started;
  await sleep(500);
  const bytesPerDevice = (target.server.rss() - rssBefore) / devices.length;

  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const senders: BenchDevice[] = [];
  for (let room = 0; room < options.rooms; room++) {
    const inRoom = devices.slice(room * options.devicesPerRoom, (room + 1) * options.devicesPerRoom);
    senders.push(inRoom[0]!);
    for (const receiver of inRoom.slice(1)) observeArrivals(receiver.doc, sentAt, latencies);
  }
  // One unmeasured message per room first, delivered everywhere before timing starts: every server
  // is measured warm (code paths compiled, first statements prepared), as it runs in production.
  // The bench's devices open only their room, so to our server every member is offline: the first
  // message loads each member's index document (500 of them with 500 devices), which a person's own
  // devices keep loaded while they are online. A second's pause lets that finish before timing.
  const warmUpExpected = options.rooms * (options.devicesPerRoom - 1);
  for (const sender of senders) {
    const list = sender.doc.getArray(ROOTS.segment.messages);
    const message = createMessage(sender.author, "warm-up");
    sentAt.set(message.id, performance.now());
    list.insert(list.length, [message]);
  }
  const warmUpDeadline = Date.now() + 15_000;
  while (latencies.length < warmUpExpected && Date.now() < warmUpDeadline) await sleep(20);
  await sleep(WARM_UP_SETTLE_MS);
  latencies.length = 0;

  const expected = options.rooms * options.messages * (options.devicesPerRoom - 1);
  const countersBefore = await target.counters?.();
  const framesBefore = received.frames;
  received.byKind.clear();
  // The rooms' senders take turns through each interval, as people in different rooms write
  // independently; all at the same instant, every room's recount fell together and the server's
  // per-person work looked coalesced where in a company it is not.
  const gap = options.intervalMs / senders.length;
  for (let i = 0; i < options.messages; i++) {
    for (const sender of senders) {
      const message = createMessage(sender.author, `benchmark message ${i}`);
      sentAt.set(message.id, performance.now());
      const list = sender.doc.getArray(ROOTS.segment.messages);
      list.insert(list.length, [message]);
      await sleep(gap);
    }
  }
  const deadline = Date.now() + 15_000;
  while (latencies.length < expected && Date.now() < deadline) await sleep(50);
  // What the messages set off afterwards (recounts, index writes) belongs to them too.
  await sleep(1_000);
  const countersAfter = await target.counters?.();
  const framesPerMessage = (received.frames - framesBefore) / (options.rooms * options.messages);
  let workPerMessage: Map<string, number> | undefined;
  if (countersBefore && countersAfter) {
    const sent = options.rooms * options.messages;
    workPerMessage = new Map();
    for (const [name, value] of countersAfter) {
      const delta = value - (countersBefore.get(name) ?? 0);
      if (delta !== 0 && (name.endsWith("_total") || name.includes("_total{")))
        workPerMessage.set(name, delta / sent);
    }
  }
  for (const device of devices) device.destroy();
  return {
    latency: percentiles(latencies, expected),
    syncAllMs,
    bytesPerDevice,
    workPerMessage,
    framesPerMessage,
  };
}

function observeArrivals(doc: Y.Doc, sentAt: Map<string, number>, latencies: number[]) {
  doc.getArray(ROOTS.segment.messages).observe((event) => {
    const now = performance.now();
    for (const delta of event.changes.delta)
      for (const value of (delta.insert as unknown[] | undefined) ?? []) {
        const sent = isMessageRecord(value) ? sentAt.get(value.id) : undefined;
        if (sent !== undefined) latencies.push(now - sent);
      }
  });
}

/** Server memory per loaded room document: one device opens `count` rooms, then all close. */
export async function memoryPerRoom(target: Target, count: number) {
  const warmUp = 10;
  const rooms = await target.prepareRooms(warmUp + count);
  // A few rooms opened and closed first, so a fresh process's first allocations (compiled code, the
  // heap's first growth) are not counted as memory per room.
  for (const device of await connectAll(
    target,
    rooms.slice(0, warmUp).map((docName) => ({ docName, index: 1 })),
    10,
  ))
    device.destroy();
  await sleep(1_000);
  const docNames = rooms.slice(warmUp);
  const before = target.server.rss();
  const devices = await connectAll(
    target,
    docNames.map((docName) => ({ docName, index: 1 })),
    10,
  );
  await sleep(500);
  const bytesPerRoom = (target.server.rss() - before) / count;
  for (const device of devices) device.destroy();
  return bytesPerRoom;
}

/**
 * Cold open of a room whose history holds `count` messages, as the app opens it: the room document,
 * then its history segments from the newest back until the latest 50 messages are there (the server
 * seals a segment at SEGMENT_CAPACITY messages and starts the next, empty one). The history is written through the server segment by segment, so every message is
 * checked, stored and numbered; then the server restarts and a fresh device times the open. The time
 * to open every segment of the history (what offline reading and search fetch in the background) is
 * measured too.
 */
export async function coldOpen(target: Target, count: number) {
  if (!target.restart) throw new Error(`${target.name} keeps nothing across restarts`);
  const [firstSegment] = await target.prepareRooms(1);
  const roomId = firstSegment!.slice("room:".length, firstSegment!.lastIndexOf("/"));
  const roomDoc = roomDocName(roomId);
  const writerRoom = await target.connect(roomDoc, 0);
  for (let sent = 0; sent < count; ) {
    const newest = await waitFor(() => listSegments(writerRoom.doc).at(-1), "the room's segment list");
    const writer = await target.connect(segmentDocName(roomId, newest), 0);
    const list = writer.doc.getArray(ROOTS.segment.messages);
    const room = Math.min(SEGMENT_CAPACITY - list.length, count - sent);
    for (let written = 0; written < room; written += 1_000) {
      const messages = Array.from({ length: Math.min(1_000, room - written) }, (_, i) =>
        createMessage(
          writer.author,
          `history message ${sent + written + i}: the quick brown fox jumps over the lazy dog`,
        ),
      );
      list.insert(list.length, messages);
      await sleep(20);
    }
    sent += room;
    await waitFor(
      () => listMessages(writer.doc).every((m) => m.seq !== null) || undefined,
      `segment ${newest} numbered`,
    );
    if (sent < count)
      await waitFor(
        () => (listSegments(writerRoom.doc).at(-1) ?? -1) > newest || undefined,
        "the next segment",
      );
    writer.destroy();
  }
  writerRoom.destroy();
  await sleep(3_000); // the debounced snapshots fold the logs
  await target.restart();

  // As the app opens a room: the room document, then segments from the newest back until the
  // latest TAIL messages are there (right after a seal the newest segment is still empty).
  const started = performance.now();
  const reader = await target.connect(roomDoc, 1);
  const segments = listSegments(reader.doc);
  const opened: BenchDevice[] = [];
  let shown = 0;
  for (let i = segments.length - 1; i >= 0 && shown < TAIL; i--) {
    const device = await target.connect(segmentDocName(roomId, segments[i]!), 1);
    opened.push(device);
    shown += device.doc.getArray(ROOTS.segment.messages).length;
  }
  const openMs = performance.now() - started;
  const allStarted = performance.now();
  for (let i = segments.length - 1 - opened.length; i >= 0; i--)
    opened.push(await target.connect(segmentDocName(roomId, segments[i]!), 1));
  const allMs = performance.now() - allStarted + openMs;
  const total = opened.reduce((sum, d) => sum + d.doc.getArray(ROOTS.segment.messages).length, 0);
  for (const device of [reader, ...opened]) device.destroy();
  return { openMs, allMs, segments: segments.length, complete: total === count };
}

/** How many of the newest messages a room shows when it opens. */
const TAIL = 50;

async function waitFor<T>(check: () => T | undefined, what: string, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
