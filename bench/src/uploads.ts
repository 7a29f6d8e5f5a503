import { randomBytes } from "node:crypto";
import { latencyOf, RoomsSession } from "./session.ts";
import { type Load, loadAverage, type Percentiles, sleep } from "./stats.ts";
import type { Target } from "./targets.ts";

export interface UploadsResult {
  /** Delivery in the room while nothing uploads. */
  quiet: Percentiles;
  /** Delivery in the same room, the same devices, while files upload. */
  uploading: Percentiles;
  /** Files uploaded and their bytes per second while delivery was measured. */
  files: number;
  megabytesPerSecond: number;
  /** Uploads the server did not answer 201 or 200 (should be none). */
  failed: number;
  load: Load;
}

/**
 * Issue 19: uploads must not slow message delivery. One room of `devices` devices and a stream of
 * `perSecond` messages, measured twice on the same server and session: with nothing else going on,
 * then while `parallel` uploaders send `fileMegabytes` MB files one after another into the room.
 */
export async function deliveryWhileUploading(
  target: Target,
  options: { devices: number; perSecond: number; seconds: number; fileMegabytes: number; parallel: number },
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
    await sleep(1_000);
    const bytes = new Uint8Array(randomBytes(options.fileMegabytes * 1024 * 1024));
    let stop = false;
    let files = 0;
    let failed = 0;
    const started = performance.now();
    const uploaders = Array.from({ length: options.parallel }, async (_, u) => {
      while (!stop) {
        // Different bytes each time (the server stores the same bytes once).
        bytes[0] = files & 0xff;
        bytes[1] = u;
        const status = await target.upload!(docName!, 0, `bench ${u} ${files}.bin`, bytes);
        if (status === 200 || status === 201) files++;
        else failed++;
      }
    });
    const uploading = latencyOf(await session.measure(stream, options.seconds));
    stop = true;
    const elapsed = (performance.now() - started) / 1000;
    await Promise.all(uploaders);
    return {
      quiet,
      uploading,
      files,
      megabytesPerSecond: (files * options.fileMegabytes) / elapsed,
      failed,
      load: { start: load, end: loadAverage() },
    };
  } finally {
    session.close();
  }
}
