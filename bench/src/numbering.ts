import { createMessage, ROOTS } from "@chat/model";
import { type Percentiles, percentiles } from "./stats.ts";
import type { BenchDevice, Target } from "./targets.ts";

export interface NumberingResult {
  sent: number;
  numbered: number;
  /** From a message's send until its sequence number reached a device in the room, ms. */
  latency: Percentiles;
  /** From the last message sent until the last one was numbered, ms (how far numbering fell behind). */
  drainMs: number;
  /** Messages numbered per second over the whole run, first send to last number. */
  perSecond: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Whether numbering keeps up with a sustained stream (issue 17's capacity finding: at about 200
 * messages/s into one room, thousands of acknowledged messages waited unnumbered). In each of
 * `rooms` rooms, `writers` devices of different people send `perSecond` messages a second between
 * them for `seconds`; one more device per room records when each message's sequence number arrives.
 * Only this server numbers messages, so there is no reference to run beside it.
 */
export async function numberingCapacity(
  target: Target,
  options: { rooms: number; writers: number; perSecond: number; seconds: number },
): Promise<NumberingResult> {
  const docNames = await target.prepareRooms(options.rooms);
  const perRoom = options.writers + 1;
  const devices: BenchDevice[] = [];
  for (const [room, docName] of docNames.entries())
    for (let i = 0; i < perRoom; i++) devices.push(await target.connect(docName, room * perRoom + i));

  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let lastNumberedAt = 0;
  for (let room = 0; room < options.rooms; room++) {
    const observer = devices[room * perRoom + options.writers]!;
    observer.doc.getMap(ROOTS.segment.seq).observe((event) => {
      const now = performance.now();
      for (const id of event.keysChanged) {
        const sent = sentAt.get(id);
        if (sent === undefined) continue;
        latencies.push(now - sent);
        lastNumberedAt = now;
      }
    });
  }

  // Every writer sends on its own timer, spread over the interval, as people typing at once do.
  const intervalMs = (1000 * options.writers) / options.perSecond;
  const started = performance.now();
  const until = started + options.seconds * 1000;
  let lastSentAt = started;
  await Promise.all(
    devices
      .filter((_, i) => i % perRoom < options.writers)
      .map(async (writer, i) => {
        await sleep((intervalMs * i) / devices.length);
        for (let next = performance.now(); next < until; next += intervalMs) {
          const message = createMessage(writer.author, `numbering ${sentAt.size}`);
          const list = writer.doc.getArray(ROOTS.segment.messages);
          sentAt.set(message.id, performance.now());
          list.insert(list.length, [message]);
          lastSentAt = Math.max(lastSentAt, performance.now());
          await sleep(Math.max(0, next + intervalMs - performance.now()));
        }
      }),
  );
  const deadline = Date.now() + 120_000;
  while (latencies.length < sentAt.size && Date.now() < deadline) await sleep(50);
  for (const device of devices) device.destroy();
  return {
    sent: sentAt.size,
    numbered: latencies.length,
    latency: percentiles(latencies, sentAt.size),
    drainMs: Math.max(0, lastNumberedAt - lastSentAt),
    perSecond: latencies.length / ((lastNumberedAt - started) / 1000),
  };
}
