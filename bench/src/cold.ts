import {
  createMessage,
  listMessages,
  listSegments,
  parseDocName,
  ROOTS,
  roomDocName,
  SEGMENT_CAPACITY,
  segmentDocName,
} from "@chat/model";
import type * as Y from "yjs";
import { median, sleep } from "./stats.ts";
import { type BenchDevice, roomOf, type Target } from "./targets.ts";

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

export interface SwitchResult {
  /** Switches measured. */
  switches: number;
  medianMs: number;
  maxMs: number;
  /** Whether every switch showed the latest messages. */
  complete: boolean;
}

/**
 * Switching rooms shows the latest messages: a device with `openRooms` rooms open (each room
 * document and its newest segment, beside the directory and its index, on one socket) switches to a
 * room it has not opened, as the app does: the room document, then its newest segment; timed until
 * the latest messages (up to TAIL) are there. Each room switched to holds `history` messages. With
 * `othersThere`, another device has the room open (a busy company's room is loaded already);
 * without, nobody has for longer than the server keeps an idle room loaded, so it comes from storage.
 */
export async function switchRooms(
  target: Target,
  options: { openRooms: number; switches: number; history: number; othersThere: boolean },
): Promise<SwitchResult> {
  const names = await target.prepareRooms(options.openRooms + options.switches);
  const destinations = names.slice(options.openRooms);
  const writers: BenchDevice[] = [];
  for (const name of destinations) {
    const writer = await target.connect(name, 2);
    for (let i = 0; i < options.history; i++) writer.send(`history message ${i} in a room to switch to`);
    writers.push(writer);
  }
  await sleep(1_000);
  if (!options.othersThere) {
    for (const writer of writers.splice(0)) writer.destroy();
    // Longer than the server keeps a room loaded with nobody in it (3 s), then stores it.
    await sleep(6_000);
  }
  const device = await target.connect(names[0]!, 1, "app");
  const shown = Math.min(TAIL, options.history);
  try {
    for (const name of names.slice(1, options.openRooms)) {
      const room = await device.open(roomOf(name));
      await device.open(newestSegment(room, name));
    }
    const times: number[] = [];
    let complete = true;
    for (const name of destinations) {
      const started = performance.now();
      const room = await device.open(roomOf(name));
      const segment = await device.open(newestSegment(room, name));
      const list = segment.getArray(ROOTS.segment.messages);
      if (list.length < shown)
        await waitFor(() => list.length >= shown || undefined, "the latest messages", 10_000).catch(() => {
          complete = false;
        });
      times.push(performance.now() - started);
      await sleep(200);
    }
    return { switches: times.length, medianMs: median(times), maxMs: Math.max(...times), complete };
  } finally {
    device.destroy();
    for (const writer of writers) writer.destroy();
  }
}

/** A room's newest segment from its room document; the references keep no segment list: `fallback`. */
function newestSegment(room: Y.Doc, fallback: string): string {
  const newest = listSegments(room).at(-1);
  const ref = parseDocName(fallback);
  return newest === undefined || !ref || ref.kind !== "segment"
    ? fallback
    : segmentDocName(ref.roomId, newest);
}
