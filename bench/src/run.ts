import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { SEGMENT_CAPACITY } from "@chat/model";
import { type NumberingResult, numberingCapacity } from "./numbering.ts";
import { stopAllNow } from "./processes.ts";
import { coldOpen, type DeliveryResult, deliveryRounds, memoryPerRoom } from "./scenarios.ts";
import { runSearchBench, searchSection, writeSearchSection } from "./search.ts";
import { bareHocuspocus, ourServer, type Target, yWebsocket } from "./targets.ts";

/**
 * `npm run bench`: this server, a bare Hocuspocus and the y-websocket reference server, measured in
 * the same run on the same machine, written to docs/benchmarks.md. Our server stores in embedded
 * PGlite by default; BENCH_DATABASE_URL points it at a Postgres server instead.
 */
const quick = process.argv.includes("--quick");
// Every y-websocket client adds a process "exit" listener in Node; 500 of them are expected here.
process.setMaxListeners(0);
// `npm run bench -- --search-only`: only the search benchmark, refreshing its section of docs/benchmarks.md.
if (process.argv.includes("--search-only")) {
  const section = searchSection(runSearchBench());
  writeSearchSection(new URL("../../docs/benchmarks.md", import.meta.url), section);
  process.stdout.write(`\n${section}`);
  process.exit(0);
}
const oneRoom = { rooms: 1, devicesPerRoom: 50, messages: quick ? 10 : 40, intervalMs: 50 };
const manyRooms = { rooms: 50, devicesPerRoom: 10, messages: quick ? 4 : 10, intervalMs: 200 };
/** Each delivery scenario runs this many times per server, the servers taking turns; the table shows the medians. */
const rounds = quick ? 1 : 5;
const roundsOf = (result: { rounds: DeliveryResult[] }) =>
  result.rounds.map((r) => r.latency.p99.toFixed(1)).join(" / ");
const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(1)} ms` : "n/a");
const kib = (bytes: number) => (Number.isFinite(bytes) ? `${(bytes / 1024).toFixed(1)} KiB` : "n/a");

/** Where our server stores: the Postgres of BENCH_DATABASE_URL, or PGlite in a fresh folder. */
const dataDir = mkdtempSync(join(tmpdir(), "chat-bench-"));
const ourEnv = process.env.BENCH_DATABASE_URL
  ? { DATABASE_URL: process.env.BENCH_DATABASE_URL }
  : { DATA_DIR: dataDir };

/** Runs a delivery scenario on every target, taking turns (see deliveryRounds), and prints each one's figures. */
async function deliveryOf(targets: Target[], scenario: Parameters<typeof deliveryRounds>[1]) {
  const results = await deliveryRounds(targets, scenario, rounds);
  const label = `${scenario.rooms * scenario.devicesPerRoom} devices, ${scenario.rooms} room${scenario.rooms === 1 ? "" : "s"}`;
  for (const [i, { latency, ...result }] of results.entries())
    process.stdout.write(
      `${targets[i]!.name}, ${label}: p50 ${ms(latency.p50)} p95 ${ms(latency.p95)} p99 ${ms(latency.p99)} (${latency.samples}/${latency.expected}; p99 per round ${roundsOf(result)})\n`,
    );
  return results;
}

/**
 * `npm run bench -- --delivery-only`: only the two delivery scenarios, for this server and bare
 * Hocuspocus, printed and not written (for iterating on the server's hot path).
 */
if (process.argv.includes("--delivery-only")) {
  try {
    const targets = [await ourServer(ourEnv), await bareHocuspocus()];
    for (const scenario of [oneRoom, manyRooms]) {
      const [ours, bare] = await deliveryOf(targets, scenario);
      process.stdout.write(`  p99 ours ÷ bare: ${(ours!.latency.p99 / bare!.latency.p99).toFixed(2)}×\n`);
    }
    for (const target of targets) await target.server.stop();
  } finally {
    stopAllNow();
    rmSync(dataDir, { recursive: true, force: true });
  }
  process.exit(0);
}
/** Numbering under a sustained stream: one busy room, and many rooms at once. */
const numberingScenarios = [
  {
    label: "1 room, 4 writers, 200 messages/s",
    rooms: 1,
    writers: 4,
    perSecond: 200,
    seconds: quick ? 3 : 10,
  },
  {
    label: "20 rooms, 2 writers each, 1,000 messages/s in all",
    rooms: 20,
    writers: 2,
    perSecond: 50,
    seconds: quick ? 3 : 10,
  },
];
async function numberingOf(target: Target): Promise<Array<{ label: string; result: NumberingResult }>> {
  const results: Array<{ label: string; result: NumberingResult }> = [];
  for (const { label, ...scenario } of numberingScenarios) {
    const result = await numberingCapacity(target, scenario);
    process.stdout.write(
      `numbering, ${label}: ${result.numbered}/${result.sent} numbered, ${result.perSecond.toFixed(0)}/s; send to number p50 ${ms(result.latency.p50)} p99 ${ms(result.latency.p99)}; behind by ${ms(result.drainMs)} when the writers stopped\n`,
    );
    results.push({ label, result });
    await new Promise((r) => setTimeout(r, 5_000));
  }
  return results;
}

/** `npm run bench -- --numbering-only`: only the numbering scenarios, on this server, printed and not written. */
if (process.argv.includes("--numbering-only")) {
  try {
    const target = await ourServer(ourEnv);
    await numberingOf(target);
    await target.server.stop();
  } finally {
    stopAllNow();
    rmSync(dataDir, { recursive: true, force: true });
  }
  process.exit(0);
}

const coldSizes = quick ? [10_000] : [10_000, 100_000];

interface Row {
  target: string;
  one: DeliveryResult;
  many: DeliveryResult;
  perRoom: number;
}

const makers = [() => ourServer(ourEnv), bareHocuspocus, yWebsocket];
const rows: Row[] = [];
const cold: Array<{ count: number; openMs: number; allMs: number; segments: number; complete: boolean }> = [];
let unloaded = "n/a";
let numbering: Array<{ label: string; result: NumberingResult }> = [];
try {
  // Every server runs through the delivery rounds together, taking turns (see deliveryRounds).
  const targets: Target[] = [];
  for (const make of makers) targets.push(await make());
  const one = await deliveryOf(targets, oneRoom);
  const many = await deliveryOf(targets, manyRooms);
  for (const target of targets) await target.server.stop();

  // Memory per room on a fresh process of each (same storage): after the rounds, loading rooms reuses
  // the heap their devices left behind, and the growth said nothing (0 KiB).
  for (const [i, make] of makers.entries()) {
    const fresh = await make();
    const perRoom = await memoryPerRoom(fresh, 100);
    process.stdout.write(`${fresh.name}, memory per loaded room: ${kib(perRoom)}\n`);
    rows.push({ target: fresh.name, one: one[i]!, many: many[i]!, perRoom });
    if (i === 0) {
      await new Promise((r) => setTimeout(r, 5_000));
      unloaded = String(await fresh.loadedDocuments?.());
      numbering = await numberingOf(fresh);
      for (const count of coldSizes) {
        const result = await coldOpen(fresh, count);
        process.stdout.write(
          `cold open of a room of ${count} messages: ${ms(result.openMs)}; all ${result.segments} segments ${ms(result.allMs)}${result.complete ? "" : " (INCOMPLETE)"}\n`,
        );
        cold.push({ count, ...result });
      }
    }
    await fresh.server.stop();
  }
} finally {
  stopAllNow();
  rmSync(dataDir, { recursive: true, force: true });
}

const bare = rows.find((r) => r.target === "bare Hocuspocus");
const ratio = (value: number, reference: number | undefined) =>
  reference && Number.isFinite(value) ? `${(value / reference).toFixed(2)}×` : "n/a";
const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
const table = [
  line(["", ...rows.map((r) => r.target), "this ÷ bare Hocuspocus"]),
  line(["---", ...rows.map(() => "---:"), "---:"]),
  ...(
    [
      ["delivery p50, 50 devices in 1 room", (r: Row) => r.one.latency.p50],
      ["delivery p95, 50 devices in 1 room", (r: Row) => r.one.latency.p95],
      ["delivery p99, 50 devices in 1 room", (r: Row) => r.one.latency.p99],
      ["delivery p50, 500 devices in 50 rooms", (r: Row) => r.many.latency.p50],
      ["delivery p95, 500 devices in 50 rooms", (r: Row) => r.many.latency.p95],
      ["delivery p99, 500 devices in 50 rooms", (r: Row) => r.many.latency.p99],
      ["all 50 devices synced", (r: Row) => r.one.syncAllMs],
      ["all 500 devices synced", (r: Row) => r.many.syncAllMs],
    ] as const
  ).map(([label, pick]) =>
    line([label, ...rows.map((r) => ms(pick(r))), ratio(pick(rows[0]!), bare && pick(bare))]),
  ),
  ...(
    [
      ["server memory per connected device (500 devices)", (r: Row) => r.many.bytesPerDevice],
      ["server memory per loaded room (+ its connection)", (r: Row) => r.perRoom],
    ] as const
  ).map(([label, pick]) =>
    line([label, ...rows.map((r) => kib(pick(r))), ratio(pick(rows[0]!), bare && pick(bare))]),
  ),
  line([
    "messages delivered / expected (both scenarios)",
    ...rows.map(
      (r) =>
        `${r.one.latency.samples + r.many.latency.samples} / ${r.one.latency.expected + r.many.latency.expected}`,
    ),
    "",
  ]),
];
const report = `# Benchmarks

Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}. Our server stored in ${process.env.BENCH_DATABASE_URL ? "Postgres (BENCH_DATABASE_URL)" : "embedded PGlite, on a thread of the server's process: its memory (the WASM heap, which grows with what is written and never shrinks) counts in the server's, where a Postgres server's would be in a process of its own"}; the two references keep documents in memory only. Every server runs in its own process; all devices run in the benchmark process and share its clock. Absolute times depend on the machine; the ratios are what to compare.

Each device is a real client (\`@hocuspocus/provider\` with one socket per device; the y-websocket client for y-websocket). In each room one device sends messages (${oneRoom.messages} at ${oneRoom.intervalMs} ms intervals with 50 devices; ${manyRooms.messages} per room at ${manyRooms.intervalMs} ms with 500); every other device records when each arrives. Each scenario runs ${rounds} times per server on fresh rooms, the servers taking turns round by round (so a slow spell of the shared virtual machine falls on all of them alike, not on whichever was being measured then), and the table shows the median of each server's rounds. Before timing starts, each room's sender sends one message that is delivered everywhere, and a second passes, so every server is measured warm (the devices open only their room, so to our server every member is offline, and that first message loads each member's index document; a person's own devices keep it loaded while they are online); rounds are 5 s apart, so one round's leaving devices do not weigh on the next, whichever server it is. Our server authenticates every device, checks every write, appends it to its database before acknowledging it to its sender (the others receive it while it is written), numbers each message and keeps every member's unread count; the references do none of that.

${table.join("\n")}

Cold open of a room from ${process.env.BENCH_DATABASE_URL ? "Postgres" : "PGlite"} after a server restart, as the app opens it: the room document, then its history segments from the newest back until the latest 50 messages are there (segments hold ${SEGMENT_CAPACITY.toLocaleString("en")} messages). The history was written through the server, so every message was checked, stored and numbered. The last column opens every segment one after another, as a device does in the background for offline reading and search.

${line(["messages in the room", "segments", "room + latest 50 messages, until synced", "every segment"])}
${line(["---:", "---:", "---:", "---:"])}
${cold.map((c) => line([c.count.toLocaleString("en"), String(c.segments), `${ms(c.openMs)}${c.complete ? "" : " (incomplete)"}`, ms(c.allMs)])).join("\n")}

Idle rooms unload: 5 s after the last device left, our server had ${unloaded} documents loaded.

Numbering under a sustained stream (only this server numbers messages): in each room the writers, each a different person, send the given rate between them for ${numberingScenarios[0]!.seconds} s, and one more device records when each message's sequence number arrives.

${line(["scenario", "numbered / sent", "numbered per second", "send to number p50", "p99", "behind when the writers stopped"])}
${line(["---", "---:", "---:", "---:", "---:", "---:"])}
${numbering.map(({ label, result: r }) => line([label, `${r.numbered} / ${r.sent}`, r.perSecond.toFixed(0), ms(r.latency.p50), ms(r.latency.p99), ms(r.drainMs)])).join("\n")}

${searchSection(runSearchBench({ messages: quick ? 10_000 : 100_000 }))}`;
const out = new URL("../../docs/benchmarks.md", import.meta.url);
if (!quick) writeFileSync(out, report);
process.stdout.write(`\n${report}`);
process.exit(0);
