import { type CpuWindow, startCpuWindow } from "./cpu.ts";
import { type Percentiles, percentiles, sleep } from "./stats.ts";
import { type DeliveryTarget, type MessagingDevice, type Opens, received } from "./targets.ts";

/** One room of a session: how many devices it holds, and how many of them write (the first ones). */
export interface RoomPlan {
  devices: number;
  writers: number;
}

/** A stream of messages: `perSecond` in all, spread evenly over the given rooms' writers and over time. */
export interface Stream {
  rooms: readonly number[];
  perSecond: number;
}

export interface Measurement {
  /** Latency from send to arrival at each other device of the room, per room of the session. */
  perRoom: number[][];
  /** Messages sent, per room. */
  sent: number[];
  /** Arrivals expected (each message at every device of its room that did not write it), per room. */
  expected: number[];
  cpu: CpuWindow;
  /** Frames the devices received over the window (any server): the fan-out behind the messages. */
  frames: number;
  /** Our server's counters over the window (frames sent, SQL statements, its own changes…). */
  counters?: Map<string, number>;
}

/** Time after the last message arrived that still counts as its work (storing, numbering, unread counts). */
const CPU_TAIL_MS = 1_000;
/** How long after the last send a measurement waits for stragglers. */
const DELIVERY_DEADLINE_MS = 15_000;

/**
 * Devices connected to one server in several rooms, kept connected while messages are sent and
 * timed, in one or several measurements. Senders and receivers share this process's clock. Device
 * numbers run room by room from 0 (or `firstIndex`), so on our server device `n` is account `n % 50`
 * (see ourServer).
 */
export class RoomsSession {
  private measuring: { sentAt: Map<string, number>; perRoom: number[][] } | null = null;
  readonly target: DeliveryTarget;
  readonly rooms: readonly RoomPlan[];
  /** Devices by room; the first `writers` of each write, the rest receive. */
  readonly devices: MessagingDevice[][];
  /** From the first connection attempt until every device was in step, ms. */
  readonly connectMs: number;

  private constructor(
    target: DeliveryTarget,
    rooms: readonly RoomPlan[],
    devices: MessagingDevice[][],
    connectMs: number,
  ) {
    this.target = target;
    this.rooms = rooms;
    this.devices = devices;
    this.connectMs = connectMs;
    for (const [room, inRoom] of devices.entries())
      for (const receiver of inRoom.slice(rooms[room]!.writers))
        receiver.onMessage((id) => {
          const now = performance.now();
          const sent = this.measuring?.sentAt.get(id);
          if (sent !== undefined) this.measuring!.perRoom[room]!.push(now - sent);
        });
  }

  /** Connects every device, `parallel` at a time (all at once for a join storm). */
  static async open(
    target: DeliveryTarget,
    rooms: readonly RoomPlan[],
    options: {
      opens?: Opens;
      parallel?: number;
      names?: string[];
      firstIndex?: number;
      people?: number;
    } = {},
  ): Promise<RoomsSession> {
    const names = options.names ?? (await target.prepareRooms(rooms.length, options.people));
    const plan = rooms.flatMap((room, r) => Array.from({ length: room.devices }, () => r));
    const firstIndex = options.firstIndex ?? 0;
    // People are in their rooms before the app opens (joining a room is not connecting), 10 rooms at a time.
    if (target.addMembers) {
      let nextRoom = 0;
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          while (nextRoom < rooms.length) {
            const room = nextRoom++;
            const indexes = [...plan.keys()].filter((i) => plan[i] === room).map((i) => firstIndex + i);
            await target.addMembers!(names[room]!, indexes, options.people);
          }
        }),
      );
    }
    const flat: MessagingDevice[] = new Array(plan.length);
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: Math.min(options.parallel ?? 25, plan.length) }, async () => {
        while (next < plan.length) {
          const index = next++;
          flat[index] = await target.connect(
            names[plan[index]!]!,
            firstIndex + index,
            options.opens ?? "app",
            options.people,
          );
        }
      }),
    );
    const connectMs = performance.now() - started;
    const devices: MessagingDevice[][] = rooms.map(() => []);
    for (const [index, room] of plan.entries()) devices[room]!.push(flat[index]!);
    return new RoomsSession(target, rooms, devices, connectMs);
  }

  get deviceCount(): number {
    return this.devices.reduce((sum, inRoom) => sum + inRoom.length, 0);
  }

  /**
   * One unmeasured message per room first, delivered everywhere before timing starts: every server
   * is measured warm (code paths compiled, first statements prepared, each member's index loaded),
   * as it runs in production. A second's pause lets what follows a message finish before timing.
   */
  async warmUp(): Promise<void> {
    await this.measure(
      [{ rooms: this.rooms.map((_, r) => r), perSecond: 1_000 }],
      this.rooms.length / 1_000,
      { cpuTailMs: 0 },
    );
    await sleep(1_000);
  }

  /**
   * Sends the streams for `seconds` (each message from the next writer of the stream's rooms, in
   * turn, as evenly spaced in time as the timers allow), waits until every message arrived at every
   * other device of its room (or a deadline passed), and reads the server's CPU over that window.
   */
  async measure(
    streams: readonly Stream[],
    seconds: number,
    options: { cpuTailMs?: number } = {},
  ): Promise<Measurement> {
    const sentAt = new Map<string, number>();
    const perRoom = this.rooms.map((): number[] => []);
    const sent = this.rooms.map(() => 0);
    this.measuring = { sentAt, perRoom };
    const countersBefore = await this.target.counters?.();
    const statementsBefore = this.target.statementStats?.() ?? null;
    const framesBefore = received.frames;
    received.byKind.clear();
    received.bytesByKind.clear();
    const cpu = startCpuWindow(this.target.server.child.pid!, this.target.postgresPort);
    await Promise.all(streams.map((stream) => this.send(stream, seconds, sentAt, sent)));
    const expected = this.rooms.map((room, r) => sent[r]! * (room.devices - room.writers));
    const arrived = () => perRoom.reduce((sum, latencies) => sum + latencies.length, 0);
    const total = expected.reduce((sum, n) => sum + n, 0);
    const deadline = performance.now() + DELIVERY_DEADLINE_MS;
    while (arrived() < total && performance.now() < deadline) await sleep(20);
    await sleep(options.cpuTailMs ?? CPU_TAIL_MS);
    const window = cpu.stop();
    const frames = received.frames - framesBefore;
    this.measuring = null;
    if (process.env.BENCH_FRAME_KINDS) {
      const kinds = [...received.byKind].sort((a, b) => b[1] - a[1]);
      const total = sent.reduce((sum, n) => sum + n, 0);
      process.stderr.write(
        `frames by kind per message sent, ${this.target.name}: ${kinds.map(([kind, n]) => `${kind} ${(n / total).toFixed(1)} (${((received.bytesByKind.get(kind) ?? 0) / total / 1024).toFixed(1)} KiB)`).join(", ")}\n`,
      );
    }
    // The database thread writes its figures every 250 ms: the window's last ones are in after that.
    if (statementsBefore) await sleep(300);
    const statementsAfter = statementsBefore ? this.target.statementStats!() : null;
    if (statementsBefore && statementsAfter) {
      const total = sent.reduce((sum, n) => sum + n, 0);
      const rows = [...statementsAfter]
        .map(([text, { count, ms }]) => {
          const before = statementsBefore.get(text) ?? { count: 0, ms: 0 };
          return { text, count: count - before.count, ms: ms - before.ms };
        })
        .filter((row) => row.count > 0)
        .sort((a, b) => b.ms - a.ms);
      const sum = (key: "count" | "ms") => rows.reduce((s, row) => s + row[key], 0) / total;
      process.stderr.write(
        `statements per message sent, ${this.target.name}: ${sum("count").toFixed(2)}, ${sum("ms").toFixed(2)} ms on the database thread\n${rows
          .slice(0, 12)
          .map(
            (row) =>
              `  ${(row.count / total).toFixed(2)} × ${(row.ms / row.count).toFixed(2)} ms  ${row.text}`,
          )
          .join("\n")}\n`,
      );
    }
    const countersAfter = await this.target.counters?.();
    let counters: Map<string, number> | undefined;
    if (countersBefore && countersAfter) {
      counters = new Map();
      for (const [name, value] of countersAfter)
        if (name.includes("_total")) counters.set(name, value - (countersBefore.get(name) ?? 0));
    }
    return { perRoom, sent, expected, cpu: window, frames, counters };
  }

  private async send(stream: Stream, seconds: number, sentAt: Map<string, number>, sent: number[]) {
    // Writers in turn across rooms first (room 0's first writer, room 1's first writer, …), so a
    // stream over many rooms reaches each room at an even pace.
    const most = Math.max(...stream.rooms.map((r) => this.rooms[r]!.writers));
    const writers: Array<{ room: number; device: MessagingDevice }> = [];
    for (let w = 0; w < most; w++)
      for (const room of stream.rooms)
        if (w < this.rooms[room]!.writers) writers.push({ room, device: this.devices[room]![w]! });
    const count = Math.max(1, Math.round(stream.perSecond * seconds));
    const started = performance.now();
    for (let i = 0; i < count; ) {
      const due = Math.min(count, Math.floor(((performance.now() - started) / 1000) * stream.perSecond) + 1);
      for (; i < due; i++) {
        const { room, device } = writers[i % writers.length]!;
        const at = performance.now();
        sentAt.set(device.send(`benchmark message ${i}`), at);
        sent[room]!++;
      }
      if (i < count) await sleep(Math.max(0, started + (i / stream.perSecond) * 1000 - performance.now()));
    }
  }

  close(): void {
    for (const inRoom of this.devices) for (const device of inRoom) device.destroy();
  }
}

/** Latency percentiles over some rooms of a measurement. */
export function latencyOf(measurement: Measurement, rooms?: readonly number[]): Percentiles {
  const which = rooms ?? measurement.perRoom.map((_, r) => r);
  return percentiles(
    which.flatMap((r) => measurement.perRoom[r]!),
    which.reduce((sum, r) => sum + measurement.expected[r]!, 0),
  );
}
