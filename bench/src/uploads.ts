import { randomBytes } from "node:crypto";
import { latencyOf, RoomsSession } from "./session.ts";
import { type Load, loadAverage, type Percentiles, sleep } from "./stats.ts";
import type { Target } from "./targets.ts";

/** Delivery measured while files upload at one pace. */
export interface UploadPhase {
  /** The uploaders' pace in all, bytes per second (null: as fast as loopback goes). */
  bytesPerSecond: number | null;
  latency: Percentiles;
  /** Files stored while delivery was measured, and their megabytes per second. */
  files: number;
  megabytesPerSecond: number;
  /** Uploads the server did not answer 201 or 200 (should be none). */
  failed: number;
}

export interface UploadsResult {
  /** Delivery in the room while nothing uploads. */
  quiet: Percentiles;
  /** Delivery in the same room, the same devices, while files upload at each pace asked for. */
  phases: UploadPhase[];
  load: Load;
}

/**
 * Issue 19: uploads must not slow message delivery. One room of `devices` devices and a stream of
 * `perSecond` messages, measured on the same server and session with nothing else going on, then
 * while `parallel` uploaders send `fileMegabytes` MB files one after another into the room, at each
 * of `paces` (bytes per second in all; null for as fast as loopback allows, far beyond a real link).
 */
export async function deliveryWhileUploading(
  target: Target,
  options: {
    devices: number;
    perSecond: number;
    seconds: number;
    fileMegabytes: number;
    parallel: number;
    paces: Array<number | null>;
  },
): Promise<UploadsResult> {
  if (!target.upload) throw new Error(`${target.name} takes no uploads`);
  const load = loadAverage();
  // The room's creator is device 0's person (ourServer's prepareRooms), who uploads into it.
  const [docName] = await target.prepareRooms(1);
  const session = await RoomsSession.open(target, [{ devices: options.devices, writers: 1 }], {
    opens: "app",
    names: [docName!],
  });
  try {
    await session.warmUp();
    const stream = [{ rooms: [0], perSecond: options.perSecond }];
    const quiet = latencyOf(await session.measure(stream, options.seconds));
    const bytes = new Uint8Array(randomBytes(options.fileMegabytes * 1024 * 1024));
    const phases: UploadPhase[] = [];
    let serial = 0;
    for (const pace of options.paces) {
      await sleep(1_000);
      let stop = false;
      let files = 0;
      let failed = 0;
      const started = performance.now();
      const uploaders = Array.from({ length: options.parallel }, async (_, u) => {
        while (!stop) {
          // Different bytes each time (the server stores the same bytes once).
          serial++;
          bytes[0] = serial & 0xff;
          bytes[1] = (serial >> 8) & 0xff;
          bytes[2] = u;
          const status = await target.upload!(
            docName!,
            0,
            `bench ${u} ${serial}.bin`,
            bytes,
            pace === null ? undefined : pace / options.parallel,
          );
          if (status === 200 || status === 201) files++;
          else failed++;
        }
      });
      const latency = latencyOf(await session.measure(stream, options.seconds));
      stop = true;
      await Promise.all(uploaders);
      const elapsed = (performance.now() - started) / 1000;
      phases.push({
        bytesPerSecond: pace,
        latency,
        files,
        megabytesPerSecond: (files * options.fileMegabytes) / elapsed,
        failed,
      });
    }
    return { quiet, phases, load: { start: load, end: loadAverage() } };
  } finally {
    session.close();
  }
}
