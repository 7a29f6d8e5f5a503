import { createMessage, isMessageRecord, listMessages, ROOTS } from "@chat/model";
import type * as Y from "yjs";
import type { BenchDevice, Target } from "./targets.ts";

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
async function connectAll(target: Target, plan: Array<{ docName: string; index: number }>, parallel = 25) {
  const devices: BenchDevice[] = new Array(plan.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < plan.length) {
        const slot = next++;
        const { docName, index } = plan[slot]!;
        devices[slot] = await target.connect(docName, index);
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
}

/**
 * `rooms` rooms with `devicesPerRoom` devices each; in every room one device sends `messages`
 * messages, `intervalMs` apart, and every other device in the room records how long each took to
 * arrive. Senders and receivers share this process's clock.
 */
export async function delivery(
  target: Target,
  options: { rooms: number; devicesPerRoom: number; messages: number; intervalMs: number },
): Promise<DeliveryResult> {
  const docNames = await target.prepareRooms(options.rooms);
  // One throwaway connection first, so the server's lazy start-up is not counted as memory per device.
  for (const warmUp of await connectAll(target, [{ docName: docNames[0]!, index: 0 }])) warmUp.destroy();
  await sleep(300);
  const rssBefore = target.server.rss();
  const plan = docNames.flatMap((docName, room) =>
    Array.from({ length: options.devicesPerRoom }, (_, i) => ({
      docName,
      index: room * options.devicesPerRoom + i,
    })),
  );
  const started = performance.now();
  const devices = await connectAll(target, plan);
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
  const warmUpExpected = options.rooms * (options.devicesPerRoom - 1);
  for (const sender of senders) {
    const list = sender.doc.getArray(ROOTS.segment.messages);
    const message = createMessage(sender.author, "warm-up");
    sentAt.set(message.id, performance.now());
    list.insert(list.length, [message]);
  }
  const warmUpDeadline = Date.now() + 15_000;
  while (latencies.length < warmUpExpected && Date.now() < warmUpDeadline) await sleep(20);
  latencies.length = 0;
  await sleep(options.intervalMs);

  const expected = options.rooms * options.messages * (options.devicesPerRoom - 1);
  for (let i = 0; i < options.messages; i++) {
    for (const sender of senders) {
      const message = createMessage(sender.author, `benchmark message ${i}`);
      sentAt.set(message.id, performance.now());
      const list = sender.doc.getArray(ROOTS.segment.messages);
      list.insert(list.length, [message]);
    }
    await sleep(options.intervalMs);
  }
  const deadline = Date.now() + 15_000;
  while (latencies.length < expected && Date.now() < deadline) await sleep(50);
  for (const device of devices) device.destroy();
  return { latency: percentiles(latencies, expected), syncAllMs, bytesPerDevice };
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
  const docNames = await target.prepareRooms(count);
  await sleep(300);
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
 * Cold open of one history document holding `count` messages: written through the server in
 * batches, the server restarted, then a fresh device times its open until every message is there.
 */
export async function coldOpen(target: Target, count: number) {
  if (!target.restart) throw new Error(`${target.name} keeps nothing across restarts`);
  const [docName] = await target.prepareRooms(1);
  const writer = await target.connect(docName!, 0);
  const list = writer.doc.getArray(ROOTS.segment.messages);
  const batch = 5_000;
  for (let sent = 0; sent < count; sent += batch) {
    const messages = Array.from({ length: Math.min(batch, count - sent) }, (_, i) =>
      createMessage(
        writer.author,
        `history message ${sent + i}: the quick brown fox jumps over the lazy dog`,
      ),
    );
    list.insert(list.length, messages);
    await sleep(20);
  }
  const deadline = Date.now() + 120_000;
  while (listMessages(writer.doc).filter((m) => m.seq !== null).length < count && Date.now() < deadline)
    await sleep(200);
  writer.destroy();
  await sleep(3_000); // the debounced snapshot folds the log
  await target.restart();
  const started = performance.now();
  const reader = await target.connect(docName!, 1);
  const openMs = performance.now() - started;
  const complete = reader.doc.getArray(ROOTS.segment.messages).length === count;
  reader.destroy();
  return { openMs, complete };
}
