import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { SEGMENT_CAPACITY } from "@chat/model";
import { coldOpen, switchRooms } from "./cold.ts";
import {
  benchPercent,
  cpuPerMessage,
  type DeliveryResult,
  type DeliveryScenario,
  deliveryRounds,
  postgresPercent,
  serverPercent,
} from "./delivery.ts";
import { freshDatabase } from "./freshDatabase.ts";
import { joinRounds } from "./joining.ts";
import { idleMemory, memoryPerRoom } from "./memory.ts";
import { ALLOWANCE_PER_SECOND, neighbourRounds } from "./neighbour.ts";
import { numberingCapacity } from "./numbering.ts";
import { stopAllNow } from "./processes.ts";
import { prosody, prosodyInstalled } from "./prosody.ts";
import {
  comparisonTable,
  kib,
  line,
  loadText,
  mib,
  ms,
  percent,
  type Row,
  ratio,
  type Section,
  sectionText,
  writeSections,
} from "./report.ts";
import { runSearchBench, searchSection } from "./search.ts";
import { loadAverage, sleep } from "./stats.ts";
import { bareHocuspocus, type DeliveryTarget, ourServer, type Target, yWebsocket } from "./targets.ts";
import { SUSTAINED_P99_MS, throughput } from "./throughput.ts";
import { deliveryWhileUploading } from "./uploads.ts";

/**
 * `npm run bench`: this server beside bare Hocuspocus, the y-websocket reference server and, when the
 * Debian `prosody` package is installed, Prosody (an XMPP server), measured in the same run on the same
 * machine and written to docs/benchmarks.md. Our server stores in embedded PGlite by default;
 * BENCH_DATABASE_URL (postgres://postgres@127.0.0.1:5432/test) runs it on that Postgres instead, in a
 * database made for the run and dropped after it (freshDatabase.ts).
 *
 * Flags (after `npm run bench --`):
 *   --quick                one short round of everything; printed, docs/benchmarks.md untouched
 *   --rounds=N             rounds per scenario, the servers taking turns (default 3; --quick 1)
 *   --scenario=a,b         only these scenarios (ids below), printed; with --write their sections
 *                          of docs/benchmarks.md are replaced and the rest kept
 *   --write                write what a --scenario run measured into docs/benchmarks.md
 *   --delivery-only        only our server and bare Hocuspocus, printed: the hot-path loop. Runs
 *                          fast-room and company unless --scenario says which
 *   --company-2000         a full run includes the 2,000-device scenario (about 4 minutes more)
 *   --search-1m            a full run includes search over 1,000,000 messages (about 2 minutes, 6 GiB)
 *   --storage=both         our server on PGlite and on Postgres side by side (needs BENCH_DATABASE_URL)
 *   --no-prosody           leave Prosody out even when it is installed
 *   --numbering-only       = --scenario=numbering;  --search-only: the search benchmark, written
 * Scenario ids: one-room, fast-room, many-rooms, company, company-2000, throughput, join,
 * busy-neighbour, uploads, memory, numbering, cold-open, search, search-1m.
 */
const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const option = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = flag("quick");
const deliveryOnly = flag("delivery-only");
const rounds = Number(option("rounds") ?? (quick ? 1 : 3));
const log = (text: string) => process.stdout.write(`${text}\n`);
// Every y-websocket client adds a process "exit" listener in Node; thousands of them are expected here.
process.setMaxListeners(0);

const chosen = (option("scenario") ?? "")
  .split(",")
  .filter(Boolean)
  .concat(flag("numbering-only") ? ["numbering"] : []);
if (flag("search-only")) chosen.push("search");
const scenarioIds = chosen.length > 0 ? chosen : deliveryOnly ? ["fast-room", "company"] : null;
/** A full run: every scenario (the opt-in ones with their flag), written to docs/benchmarks.md. */
const fullRun = scenarioIds === null;
const writes = (fullRun && !quick && !deliveryOnly) || (flag("write") && !quick) || flag("search-only");

// Where our server stores: PGlite in a fresh folder, and/or a fresh database on the Postgres of
// BENCH_DATABASE_URL.
const database = process.env.BENCH_DATABASE_URL
  ? await freshDatabase(process.env.BENCH_DATABASE_URL)
  : undefined;
const databaseUrl = database?.url;
const storage = option("storage") ?? (databaseUrl ? "postgres" : "pglite");
if (storage !== "pglite" && !databaseUrl) throw new Error(`--storage=${storage} needs BENCH_DATABASE_URL`);
const dataDirs: string[] = [];
const ourStorages: Array<{ name: string; env: NodeJS.ProcessEnv }> = [];
const pgliteEnv = () => {
  const dir = mkdtempSync(join(tmpdir(), "chat-bench-"));
  dataDirs.push(dir);
  return { DATA_DIR: dir };
};
if (storage === "pglite" || storage === "both")
  ourStorages.push({ name: storage === "both" ? "this server, PGlite" : "this server", env: pgliteEnv() });
if (storage === "postgres" || storage === "both")
  ourStorages.push({
    name: storage === "both" ? "this server, Postgres" : "this server",
    env: { DATABASE_URL: databaseUrl },
  });
const storageText =
  storage === "both"
    ? "our server twice, on embedded PGlite and on Postgres (BENCH_DATABASE_URL)"
    : storage === "postgres"
      ? "our server on Postgres (BENCH_DATABASE_URL)"
      : "our server on embedded PGlite (the default; a thread of the server's process, so its CPU and memory count in the server's)";
const withProsody = !flag("no-prosody") && !deliveryOnly && prosodyInstalled();
const prosodyText = withProsody
  ? "Prosody (Debian package) runs as a third reference."
  : deliveryOnly || flag("no-prosody")
    ? "Prosody left out on request."
    : "**Prosody is not installed here** (`apt-get install prosody` adds it as a third reference), so its column is missing.";

/** The long-running servers, started once each and shared by the scenarios. */
const running = new Map<string, Promise<DeliveryTarget[]>>();
function started(kind: "ours" | "bare" | "y-websocket" | "prosody"): Promise<DeliveryTarget[]> {
  let targets = running.get(kind);
  if (!targets) {
    targets =
      kind === "ours"
        ? (async () => {
            const list: Target[] = [];
            for (const { name, env } of ourStorages) list.push(await ourServer(env, name));
            return list;
          })()
        : kind === "bare"
          ? bareHocuspocus().then((t) => [t])
          : kind === "y-websocket"
            ? yWebsocket().then((t) => [t])
            : withProsody
              ? prosody().then((t) => [t])
              : Promise.resolve([]);
    running.set(kind, targets);
  }
  return targets;
}
/** Our server(s), bare Hocuspocus, and the references a scenario affords (none with --delivery-only). */
async function targetsFor(references: ReadonlyArray<"y-websocket" | "prosody">): Promise<DeliveryTarget[]> {
  const targets = [...(await started("ours")), ...(await started("bare"))];
  if (!deliveryOnly) for (const kind of references) targets.push(...(await started(kind)));
  return targets;
}
const ourColumns = () => ourStorages.map((_, i) => i);
const bareColumn = ourStorages.length;

// ---------------------------------------------------------------------------------------------
// Delivery scenarios

interface DeliveryDefinition extends DeliveryScenario {
  id: string;
  heading: string;
  about: string;
  references: ReadonlyArray<"y-websocket" | "prosody">;
}

const seconds = (full: number, short: number) => (quick ? short : full);
const deliveryScenarios: DeliveryDefinition[] = [
  {
    id: "one-room",
    heading: "Delivery: 50 devices in one room, 20 messages/s",
    about: "The project's first benchmark: one room of 50 devices, one of them sending every 50 ms.",
    rooms: 1,
    devicesPerRoom: 50,
    perSecond: 20,
    seconds: seconds(2, 1),
    references: ["y-websocket", "prosody"],
  },
  {
    id: "fast-room",
    heading: "Delivery: 50 devices in one room, 50 messages/s",
    about:
      "Issue 23's main goal: one room of 50 devices, one of them sending every 20 ms. Goal: p99 ≤ 1.5× bare Hocuspocus and below Prosody's; server CPU per message ≤ 3× bare.",
    rooms: 1,
    devicesPerRoom: 50,
    perSecond: 50,
    seconds: seconds(4, 2),
    references: ["y-websocket", "prosody"],
  },
  {
    id: "many-rooms",
    heading: "Delivery: 500 devices in 50 rooms, 250 messages/s",
    about: "50 rooms of 10 devices; in each room one device sends 5 messages a second.",
    rooms: 50,
    devicesPerRoom: 10,
    perSecond: 250,
    seconds: seconds(2, 1),
    references: ["y-websocket", "prosody"],
  },
  {
    id: "company",
    heading: "Delivery: a company, 500 devices in 50 rooms, 50 messages/s",
    about:
      "50 rooms of 10 devices, one message per room per second (the rooms' sends spread evenly over each second).",
    rooms: 50,
    devicesPerRoom: 10,
    perSecond: 50,
    seconds: seconds(10, 4),
    references: ["y-websocket", "prosody"],
  },
  {
    id: "company-2000",
    heading: "Delivery: a 2,000-device company, 200 rooms, 200 messages/s",
    about:
      "200 rooms of 10 devices, one message per room per second; 1,000 people with two devices each (a laptop and a phone), each person in two rooms. Goal: p99 ≤ 2× bare Hocuspocus on PGlite and on Postgres. Opt-in (`--company-2000`). y-websocket is left out (8,000 sockets). All 2,000 devices run in the benchmark process: its CPU is in the table, to show whether it kept up.",
    rooms: 200,
    devicesPerRoom: 10,
    // Device i is person i % 1,000's: room r and room r + 100 hold the same ten people.
    people: 1_000,
    perSecond: 200,
    seconds: seconds(10, 4),
    references: ["prosody"],
  },
];

async function runDelivery(definition: DeliveryDefinition): Promise<Section> {
  const targets = await targetsFor(definition.references);
  log(`\n${definition.heading}: ${targets.map((t) => t.name).join(", ")}; ${rounds} round(s)`);
  const load = loadAverage();
  const results = await deliveryRounds(targets, definition, rounds);
  const endLoad = loadAverage();
  for (const [i, result] of results.entries()) log(`  ${targets[i]!.name}: ${deliverySummary(result)}`);
  for (const i of ourColumns()) {
    const ours = results[i]!;
    const bare = results[bareColumn]!;
    log(
      `  ${targets[i]!.name} ÷ bare: p50 ${ratio(ours.latency.p50, bare.latency.p50)}, p95 ${ratio(ours.latency.p95, bare.latency.p95)}, p99 ${ratio(ours.latency.p99, bare.latency.p99)}; CPU per message ${ratio(cpuPerMessage(ours.cpu, ours.sent), cpuPerMessage(bare.cpu, bare.sent))}`,
    );
  }
  const devices = definition.rooms * definition.devicesPerRoom;
  const rows: Row[] = [
    { label: "delivery p50", values: results.map((r) => r.latency.p50), format: ms },
    { label: "delivery p95", values: results.map((r) => r.latency.p95), format: ms },
    { label: "delivery p99", values: results.map((r) => r.latency.p99), format: ms },
    {
      label: "p99 over the rounds, min–max",
      values: [],
      format: ms,
      text: results.map((r) => spread(r.rounds.map((round) => round.latency.p99))),
    },
    {
      label: "server CPU per message (Postgres's included)",
      values: results.map((r) => cpuPerMessage(r.cpu, r.sent)),
      format: (v) => (Number.isFinite(v) ? `${v.toFixed(3)} ms` : "n/a"),
    },
    {
      label: "server CPU, share of one core",
      values: results.map((r) => serverPercent(r.cpu)),
      format: percent,
      text: results.map(cpuText),
    },
    {
      label: "benchmark process CPU (all devices)",
      values: [],
      format: percent,
      text: results.map((r) => percent(benchPercent(r.cpu))),
    },
    {
      label: "frames sent to devices per message (Yjs servers)",
      values: results.map((r, i) =>
        targets[i]!.name.startsWith("Prosody") ? Number.NaN : r.frames / r.sent,
      ),
      format: count,
    },
    ...ourWorkRows(results),
    {
      label: `all ${devices} devices connected and in step`,
      values: results.map((r) => r.syncAllMs),
      format: ms,
    },
    {
      label: "messages delivered / expected",
      values: [],
      format: ms,
      text: results.map((r) => `${r.latency.samples} / ${r.latency.expected}`),
    },
  ];
  return {
    heading: definition.heading,
    body: `${definition.about} Every device opens what the app opens (the directory, its own index, the room and its newest segment, on one socket; the references host the same documents, Prosody has only the room). Median of ${rounds} round${rounds === 1 ? "" : "s"} of ${definition.seconds} s per server, the servers taking turns; ${loadText({ start: load, end: endLoad })}. Server CPU is measured from the first message to a second after the last one arrived.

${comparisonTable(
  targets.map((t) => t.name),
  rows,
  ourColumns(),
  bareColumn,
)}`,
  };
}

const count = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : "n/a");
/** Sum of the counters whose name (labels included) starts with `prefix`. */
const counted = (counters: Map<string, number> | undefined, prefix: string) => {
  if (!counters) return Number.NaN;
  let sum = 0;
  for (const [name, value] of counters) if (name.startsWith(prefix)) sum += value;
  return sum;
};
/** The work our server did per message, from its /metrics counters (the others have none). */
const ourWorkRows = (results: DeliveryResult[]): Row[] => [
  {
    label: "SQL statements per message (ours)",
    values: results.map((r) => counted(r.counters, "chat_db_statements_total") / r.sent),
    format: count,
  },
  {
    label: "server-made document changes per message (ours: numbering, indexes)",
    values: results.map((r) => counted(r.counters, "chat_server_changes_total") / r.sent),
    format: count,
  },
];
const spread = (values: number[]) =>
  values.length === 0 ? "n/a" : `${ms(Math.min(...values))} – ${ms(Math.max(...values))}`;
const cpuText = (r: DeliveryResult) =>
  `${percent(serverPercent(r.cpu))}${r.cpu.postgres > 0 ? ` + Postgres ${percent(postgresPercent(r.cpu))}` : ""}`;
const deliverySummary = (r: DeliveryResult & { rounds: DeliveryResult[] }) =>
  `p50 ${ms(r.latency.p50)} p95 ${ms(r.latency.p95)} p99 ${ms(r.latency.p99)} (${r.latency.samples}/${r.latency.expected}; p99 per round ${r.rounds.map((x) => x.latency.p99.toFixed(1)).join(" / ")}); CPU ${cpuText(r)}, ${cpuPerMessage(r.cpu, r.sent).toFixed(3)} ms per message; bench process ${percent(benchPercent(r.cpu))}; load ${r.load.start.toFixed(2)} → ${r.load.end.toFixed(2)}`;

// ---------------------------------------------------------------------------------------------
// The other scenarios

async function runThroughput(): Promise<Section> {
  const targets = await targetsFor(["prosody"]);
  const rates = quick ? [50, 200] : [50, 100, 200, 400, 800];
  const secondsPerStep = quick ? 2 : 5;
  log(`\nThroughput across 50 rooms: ${targets.map((t) => t.name).join(", ")}`);
  const results = await throughput(
    targets,
    { rooms: 50, devicesPerRoom: 10, rates, seconds: secondsPerStep },
    (text) => log(text),
  );
  const names = targets.map((t) => t.name);
  const rows: Row[] = rates.map((rate) => ({
    label: `p99 at ${rate} messages/s (server CPU)`,
    values: [],
    format: ms,
    text: results.map((r) => {
      const step = r.steps.find((s) => s.perSecond === rate);
      if (!step) return "—";
      const lost = step.latency.samples < step.latency.expected ? ", messages lost" : "";
      return `${ms(step.latency.p99)} (${percent(serverPercent(step.cpu))}${lost}${step.retried ? ", second try" : ""})`;
    }),
  }));
  rows.push({
    label: `highest rate with p99 ≤ ${SUSTAINED_P99_MS} ms`,
    values: results.map((r) => r.sustained),
    format: (v) => `${v}/s`,
  });
  for (const [i, r] of results.entries()) log(`  ${names[i]}: sustained ${r.sustained}/s`);
  return {
    heading: "Sustained throughput across 50 rooms",
    body: `500 devices in 50 rooms (each opening what the app opens) stay connected on every server while the rate steps up (${rates.join(", ")} messages/s in all, spread evenly over the rooms and over time, ${secondsPerStep} s per step, the servers taking turns at each step). A server stops climbing at the first rate it cannot hold: p99 over ${SUSTAINED_P99_MS} ms, or a message lost, twice in a row (a failed step is tried once more, as the machine is shared; "—" after it). Goal: our sustained rate at least half of bare Hocuspocus's. ${loadText(results[0]!.load)}.

${comparisonTable(names, rows, ourColumns(), bareColumn)}`,
  };
}

async function runJoin(): Promise<Section> {
  const targets = await targetsFor(["prosody"]);
  const options = quick ? { rooms: 10, devicesPerRoom: 10 } : { rooms: 50, devicesPerRoom: 10 };
  const devices = options.rooms * options.devicesPerRoom;
  log(`\nJoin and reconnect, ${devices} devices: ${targets.map((t) => t.name).join(", ")}`);
  const results = await joinRounds(targets, options, rounds);
  for (const [i, r] of results.entries())
    log(
      `  ${targets[i]!.name}: all joined ${ms(r.joinMs)}, all reconnected ${ms(r.reconnectMs)} (rounds ${r.rounds.map((x) => `${x.joinMs.toFixed(0)}/${x.reconnectMs.toFixed(0)}`).join(", ")})`,
    );
  const rows: Row[] = [
    {
      label: `${devices} devices joining at once, until all in step`,
      values: results.map((r) => r.joinMs),
      format: ms,
    },
    {
      label: "joining, min–max over the rounds",
      values: [],
      format: ms,
      text: results.map((r) => spread(r.rounds.map((x) => x.joinMs))),
    },
    {
      label: `${devices} devices reconnecting at once, until all in step again`,
      values: results.map((r) => r.reconnectMs),
      format: ms,
    },
    {
      label: "reconnecting, min–max over the rounds",
      values: [],
      format: ms,
      text: results.map((r) => spread(r.rounds.map((x) => x.reconnectMs))),
    },
  ];
  return {
    heading: `Joining and reconnecting: ${devices} devices`,
    body: `${options.rooms} rooms of ${options.devicesPerRoom} devices, each opening what the app opens (Prosody: signing in and joining the room), connect all at once; two seconds later every device drops its connection (the server keeps running) and, a second after, all reconnect at once, keeping the documents they hold. Goal: both within 2× bare Hocuspocus. Median of ${rounds} round${rounds === 1 ? "" : "s"}, the servers taking turns; ${loadText(results[0]!.load)}.

${comparisonTable(
  targets.map((t) => t.name),
  rows,
  ourColumns(),
  bareColumn,
)}`,
  };
}

async function runNeighbour(): Promise<Section> {
  const targets = await targetsFor(["prosody"]);
  const options = {
    busyWriters: 10,
    busyListeners: 10,
    measuredDevices: 20,
    measuredPerSecond: 5,
    seconds: quick ? 3 : 8,
  };
  const busyRate = options.busyWriters * ALLOWANCE_PER_SECOND;
  log(`\nBusy neighbour: ${targets.map((t) => t.name).join(", ")}`);
  const results = await neighbourRounds(targets, options, quick ? 1 : Math.max(1, rounds - 1));
  for (const [i, r] of results.entries())
    log(
      `  ${targets[i]!.name}: p99 quiet ${ms(r.quiet.p99)}, busy ${ms(r.busy.p99)} (${ratio(r.busy.p99, r.quiet.p99)})`,
    );
  const rows: Row[] = [
    { label: "measured room's p99, neighbour quiet", values: results.map((r) => r.quiet.p99), format: ms },
    { label: "measured room's p99, neighbour busy", values: results.map((r) => r.busy.p99), format: ms },
    {
      label: "busy ÷ quiet",
      values: [],
      format: ms,
      text: results.map((r) => ratio(r.busy.p99, r.quiet.p99)),
    },
    {
      label: "messages delivered / expected in the measured room",
      values: [],
      format: ms,
      text: results.map((r) => `${r.quiet.samples + r.busy.samples} / ${r.quiet.expected + r.busy.expected}`),
    },
  ];
  return {
    heading: "A busy neighbour",
    body: `Room A: ${options.busyWriters} people (different accounts) each sending at the rate limits' allowance (${ALLOWANCE_PER_SECOND} messages/s an account, apps/sync/src/limits/policy.ts; ${busyRate} messages/s in all; the bench runs our server with RATE_LIMITS=off, so the writers keep to it themselves), ${options.busyListeners} more devices receiving. Room B, with no member in common: ${options.measuredDevices} devices, one sending ${options.measuredPerSecond} messages/s, its delivery measured for ${options.seconds} s with room A quiet, then with room A busy. Goal: a busy room never doubles another room's p99. Median of the rounds; ${loadText(results[0]!.load)}.

${comparisonTable(
  targets.map((t) => t.name),
  rows,
  ourColumns(),
  bareColumn,
)}`,
  };
}

async function runUploads(): Promise<Section> {
  // started("ours") holds what ourServer() made: full Targets, uploads included.
  const target = (await started("ours"))[0] as Target;
  // 12.5 MB/s is a 100 Mbit/s office link filled with uploads; loopback is far beyond any real link.
  const paces = [12.5 * 1024 * 1024, null];
  const options = {
    devices: 50,
    perSecond: 20,
    seconds: quick ? 3 : 8,
    fileMegabytes: 5,
    parallel: 2,
    paces,
  };
  log(`\nDelivery while files upload: ${target.name}`);
  const result = await deliveryWhileUploading(target, options);
  const paceName = (pace: number | null) =>
    pace === null ? "as fast as loopback goes" : `at ${(pace / 1024 / 1024).toFixed(1)} MB/s`;
  for (const phase of result.phases)
    log(
      `  p99 quiet ${ms(result.quiet.p99)}, uploading ${paceName(phase.bytesPerSecond)} ${ms(phase.latency.p99)} (${ratio(phase.latency.p99, result.quiet.p99)}); ${phase.files} files, ${phase.megabytesPerSecond.toFixed(1)} MB/s, ${phase.failed} failed`,
    );
  const rows = [
    ["delivery p50", ms(result.quiet.p50), ...result.phases.map((p) => ms(p.latency.p50))],
    ["delivery p99", ms(result.quiet.p99), ...result.phases.map((p) => ms(p.latency.p99))],
    ["p99 ÷ quiet", "", ...result.phases.map((p) => ratio(p.latency.p99, result.quiet.p99))],
    [
      "uploaded (MB/s, files)",
      "",
      ...result.phases.map((p) => `${p.megabytesPerSecond.toFixed(1)}, ${p.files}`),
    ],
    ["uploads refused or failed", "", ...result.phases.map((p) => String(p.failed))],
    [
      "messages delivered / expected",
      `${result.quiet.samples} / ${result.quiet.expected}`,
      ...result.phases.map((p) => `${p.latency.samples} / ${p.latency.expected}`),
    ],
  ];
  return {
    heading: "Delivery while files upload",
    body: `Issue 19: uploads must not slow messages. One room of ${options.devices} devices (each opening what the app opens), one sending ${options.perSecond} messages/s, measured for ${options.seconds} s with nothing else going on, then for ${options.seconds} s at a time while ${options.parallel} uploaders send ${options.fileMegabytes} MB files into the same room one after another through \`PUT /api/rooms/:roomId/files/:id\` (streamed to disk, hashed, type detected), first paced as a 100 Mbit/s link would, then as fast as loopback allows. ${target.name}; ${loadText(result.load)}.

${line(["", "quiet", ...result.phases.map((p) => `uploading ${paceName(p.bytesPerSecond)}`)])}
${line(["---", "---:", ...result.phases.map(() => "---:")])}
${rows.map(line).join("\n")}`,
  };
}

/** A formatter that says "n/a" for a figure a server cannot give (NaN). */
const orNa = (format: (value: number) => string) => (value: number) =>
  Number.isNaN(value) ? "n/a" : format(value);

async function runMemory(): Promise<Section> {
  const options = quick ? { rooms: 10, devicesPerRoom: 10 } : { rooms: 50, devicesPerRoom: 10 };
  const devices = options.rooms * options.devicesPerRoom;
  // Both storages here whenever Postgres is at hand: the goal holds for each.
  // Each process of ours gets storage of its own (a new PGlite folder; Postgres's run database).
  const storages: Array<{ name: string; env: () => NodeJS.ProcessEnv }> = [
    { name: "this server, PGlite", env: pgliteEnv },
  ];
  if (databaseUrl)
    storages.push({ name: "this server, Postgres", env: () => ({ DATABASE_URL: databaseUrl }) });
  const makers: Array<() => Promise<DeliveryTarget>> = [
    ...storages.map(
      ({ name, env }) =>
        () =>
          ourServer(env(), name),
    ),
    bareHocuspocus,
    yWebsocket,
    ...(withProsody ? [prosody] : []),
  ];
  log(`\nMemory per idle device, ${devices} devices, fresh processes`);
  const names: string[] = [];
  const idle: Awaited<ReturnType<typeof idleMemory>>[] = [];
  const perRoom: number[] = [];
  const load = loadAverage();
  for (const make of makers) {
    const target = await make();
    try {
      names.push(target.name);
      // Per room first, on the fresh process (its warm-up rooms take the first allocations); per
      // device after, which needs no fresh process (see idleMemory).
      const room = await memoryPerRoom(target, quick ? 20 : 100);
      perRoom.push(room);
      const result = await idleMemory(target, options);
      // The live heap on a fresh process of its own (see idleMemory).
      if (target.server.liveHeap) {
        await target.server.stop();
        const again = await make();
        try {
          result.heapPerDevice = (await idleMemory(again, { ...options, heap: true })).heapPerDevice;
        } finally {
          await again.server.stop();
        }
      }
      idle.push(result);
      log(
        `  ${target.name}: ${mib(result.rssHalf)} with ${devices / 2} devices, ${mib(result.rssConnected)} with ${devices}, ${kib(result.bytesPerDevice)} resident and ${orNa(kib)(result.heapPerDevice)} live heap per device; ${kib(room)} per loaded room`,
      );
    } finally {
      await target.server.stop();
    }
  }
  const ours = storages.map((_, i) => i);
  const rows: Row[] = [
    {
      label: "live JavaScript heap per idle connected device",
      values: idle.map((r) => r.heapPerDevice),
      format: orNa(kib),
    },
    {
      label: "resident memory per idle connected device",
      values: idle.map((r) => r.bytesPerDevice),
      format: kib,
    },
    { label: "server memory per loaded room (+ its connection)", values: perRoom, format: kib },
    {
      label: `resident memory, ${devices / 2} idle devices`,
      values: idle.map((r) => r.rssHalf),
      format: mib,
    },
    {
      label: `resident memory, ${devices} idle devices`,
      values: idle.map((r) => r.rssConnected),
      format: mib,
    },
  ];
  // The long-running servers' peaks: what the delivery scenarios before this one took.
  const peaks: string[] = [];
  for (const kind of ["ours", "bare", "y-websocket", "prosody"] as const)
    for (const target of running.has(kind) ? await started(kind) : [])
      peaks.push(`${target.name} ${mib(target.server.peakRss())}`);
  return {
    heading: `Memory: ${devices} idle devices`,
    body: `On a fresh process of each server, ${options.rooms} rooms of ${options.devicesPerRoom} devices connect in two halves, each device opening what the app opens (Prosody: joined to its room), and stay idle (one message per room first, so each room and its members' index documents are loaded as in use); the first rows are the growth from the first half to both, per device of the second half (the first devices' one-time costs to a fresh process stay out of it): of the live JavaScript heap (a heap snapshot of the server's main thread, taken after a full collection; Node servers only), and of the resident memory (the median of five readings over two seconds). Goal: ≤ 50 KiB per idle device on PGlite and on Postgres. The live heap is what each device costs; the resident memory moves in steps (V8 grows its heap in pages and keeps them, PGlite's WASM memory never shrinks), so its growth over 250 devices says mostly where a step fell, and a run can show less than the heap itself. The PGlite server's resident memory includes PGlite's page cache (PGLITE_CACHE_MB, 32 MiB by default), taken at start. ${databaseUrl ? "" : "Postgres was not at hand (BENCH_DATABASE_URL unset), so only PGlite is measured. "}${load.toFixed(2)} load average at the start.

${comparisonTable(names, rows, ours, storages.length)}
${peaks.length > 0 ? `\nPeak resident memory of the long-running servers over this run's scenarios before this one: ${peaks.join("; ")}.\n` : ""}`,
  };
}

async function runNumbering(): Promise<Section> {
  const scenarios = [
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
  const target = await ourServer(ourStorages[0]!.env, ourStorages[0]!.name);
  const rows: string[] = [];
  const load = loadAverage();
  try {
    for (const { label, ...scenario } of scenarios) {
      const r = await numberingCapacity(target, scenario);
      log(
        `numbering, ${label}: ${r.numbered}/${r.sent} numbered, ${r.perSecond.toFixed(0)}/s; send to number p50 ${ms(r.latency.p50)} p99 ${ms(r.latency.p99)}; behind by ${ms(r.drainMs)} when the writers stopped`,
      );
      rows.push(
        line([
          label,
          `${r.numbered} / ${r.sent}`,
          r.perSecond.toFixed(0),
          ms(r.latency.p50),
          ms(r.latency.p99),
          ms(r.drainMs),
        ]),
      );
      await sleep(5_000);
    }
  } finally {
    await target.server.stop();
  }
  return {
    heading: "Numbering capacity",
    body: `Only this server numbers messages. In each room the writers, each a different person, send the given rate between them for ${scenarios[0]!.seconds} s, and one more device records when each message's sequence number arrives (a fresh server process; ${ourStorages[0]!.name}). Goal: numbering keeps up with 200 messages/s in one room and 1,000/s across rooms. Load average ${load.toFixed(2)} at the start, ${loadAverage().toFixed(2)} at the end.

${line(["scenario", "numbered / sent", "numbered per second", "send to number p50", "p99", "behind when the writers stopped"])}
${line(["---", "---:", "---:", "---:", "---:", "---:"])}
${rows.join("\n")}`,
  };
}

async function runCold(): Promise<Section> {
  const sizes = quick ? [10_000] : [10_000, 100_000];
  const ours = await ourServer(ourStorages[0]!.env, ourStorages[0]!.name);
  const bare = await bareHocuspocus();
  const load = loadAverage();
  const cold: string[] = [];
  const switching: Array<{ target: string; case: string; r: Awaited<ReturnType<typeof switchRooms>> }> = [];
  let unloaded = "n/a";
  try {
    const switchOptions = { openRooms: 10, switches: quick ? 5 : 10, history: 100 };
    for (const [target, othersThere] of [
      [ours, true],
      [bare, true],
      [ours, false],
    ] as const) {
      const r = await switchRooms(target, { ...switchOptions, othersThere });
      const which = othersThere
        ? "another device has the room open"
        : "nobody has, the room comes from storage";
      log(
        `switching rooms on ${target.name} (${which}): median ${ms(r.medianMs)}, max ${ms(r.maxMs)}${r.complete ? "" : " (INCOMPLETE)"}`,
      );
      switching.push({ target: target.name, case: which, r });
    }
    await sleep(5_000);
    unloaded = String(await ours.loadedDocuments?.());
    for (const count of sizes) {
      const result = await coldOpen(ours, count);
      log(
        `cold open of a room of ${count} messages: ${ms(result.openMs)}; all ${result.segments} segments ${ms(result.allMs)}${result.complete ? "" : " (INCOMPLETE)"}`,
      );
      cold.push(
        line([
          count.toLocaleString("en"),
          String(result.segments),
          `${ms(result.openMs)}${result.complete ? "" : " (incomplete)"}`,
          ms(result.allMs),
        ]),
      );
    }
  } finally {
    await ours.server.stop();
    await bare.server.stop();
  }
  return {
    heading: "Opening rooms",
    body: `Switching rooms shows the latest messages: a device with 10 rooms open (each room document and its newest segment, beside the directory and its index, on one socket) switches to a room it has not opened, as the app does: the room document, then its newest segment, timed until the latest messages are there (each room holds 100). Goal: within 100 ms. Bare Hocuspocus keeps nothing once a room is empty, so it is measured only with the room open elsewhere. Load average ${load.toFixed(2)} at the start.

${line(["server", "the room", "median", "max", "switches"])}
${line(["---", "---", "---:", "---:", "---:"])}
${switching.map((s) => line([s.target, s.case, ms(s.r.medianMs), ms(s.r.maxMs), `${s.r.switches}${s.r.complete ? "" : " (incomplete)"}`])).join("\n")}

Idle rooms unload: 5 s after the last device left, our server had ${unloaded} documents loaded.

Cold open of a room from ${ourStorages[0]!.env.DATABASE_URL ? "Postgres" : "PGlite"} after a server restart, as the app opens it: the room document, then its history segments from the newest back until the latest 50 messages are there (segments hold ${SEGMENT_CAPACITY.toLocaleString("en")} messages). The history was written through the server, so every message was checked, stored and numbered. The last column opens every segment one after another, as a device does in the background for offline reading and search. Goal: ≤ 250 ms median.

${line(["messages in the room", "segments", "room + latest 50 messages, until synced", "every segment"])}
${line(["---:", "---:", "---:", "---:"])}
${cold.join("\n")}`,
  };
}

async function runSearch(): Promise<Section> {
  return searchAt(quick ? 10_000 : 100_000);
}

/** Issue 23's size: a million messages, in the shards the search worker holds. */
async function runSearchMillion(): Promise<Section> {
  return searchAt(
    1_000_000,
    "Before the split (one MiniSearch index of every message, same machine, an earlier run): p95 23.8 ms for a rare word, 65.5 ms for a common word, 131.5 ms for a two-letter prefix, 79.7 ms for a word and a filter; 355.4 MiB persisted as one record, loaded in 14.2 s before the first search could run; 1,086 MiB of heap while building.",
  );
}

async function searchAt(
  messages: number,
  note = "",
  result = runSearchBench({ messages }),
): Promise<Section> {
  const text = searchSection(result, note);
  const heading = text.slice(3, text.indexOf("\n"));
  return { heading, body: text.slice(text.indexOf("\n") + 1) };
}

// ---------------------------------------------------------------------------------------------

/** Every scenario, in the order a full run takes them (memory after the delivery ones: it reports their peaks). */
const scenarios: Array<{ id: string; optIn?: boolean; run: () => Promise<Section> }> = [
  ...deliveryScenarios.map((d) => ({
    id: d.id,
    optIn: d.id === "company-2000" && !flag("company-2000"),
    run: () => runDelivery(d),
  })),
  { id: "throughput", run: runThroughput },
  { id: "join", run: runJoin },
  { id: "busy-neighbour", run: runNeighbour },
  { id: "uploads", run: runUploads },
  { id: "memory", run: runMemory },
  { id: "numbering", run: runNumbering },
  { id: "cold-open", run: runCold },
  { id: "search", run: runSearch },
  { id: "search-1m", optIn: !flag("search-1m"), run: runSearchMillion },
];
for (const id of scenarioIds ?? [])
  if (!scenarios.some((s) => s.id === id))
    throw new Error(`unknown scenario ${id}; known: ${scenarios.map((s) => s.id).join(", ")}`);
const selected = scenarios.filter((s) => (scenarioIds ? scenarioIds.includes(s.id) : !s.optIn));

const startedAt = new Date();
const startLoad = loadAverage();
const sections: Section[] = [];
try {
  log(`Benchmark: ${selected.map((s) => s.id).join(", ")}; ${storageText}. ${prosodyText}`);
  for (const scenario of selected) {
    const began = performance.now();
    sections.push(await scenario.run());
    log(`  (${scenario.id}: ${((performance.now() - began) / 1000).toFixed(0)} s)`);
  }
  for (const targets of running.values()) for (const target of await targets) await target.server.stop();
} finally {
  stopAllNow();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  await database?.drop();
}

const minutes = (Date.now() - startedAt.getTime()) / 60_000;
const header = `# Benchmarks

Written by \`npm run bench\` on ${startedAt.toISOString().slice(0, 10)} (${minutes.toFixed(0)} minutes; load average ${startLoad.toFixed(2)} at the start): ${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}. Measured: ${storageText}, beside bare Hocuspocus (the framework with no extensions) and the y-websocket reference server, both keeping documents in memory only. ${prosodyText} Every server runs in its own process; all devices run in the benchmark process and share its clock. The machine is shared: absolute times are noisy, the ratios (measured in the same run, the servers taking turns round by round so a slow spell falls on all of them alike) are what to compare.

Each device is a real client (\`@hocuspocus/provider\` with one socket per device; the y-websocket client, one socket per document; for Prosody a minimal XMPP-over-WebSocket client, RFC 7395). Before timing starts, each room's writer sends one message that is delivered everywhere, and a second passes, so every server is measured warm. Our server authenticates every device, checks every write, appends it to its database before acknowledging it to its sender (the others receive it while it is written), numbers each message and keeps every member's unread count; the references do none of that.

Run it again with \`npm run bench\` (about 25 minutes; \`-- --company-2000\` adds the 2,000-device scenario; \`-- --scenario=<id> --write\` refreshes one section; \`-- --delivery-only --scenario=fast-room\` is the quick loop for the server's hot path; the flags are listed at the top of bench/src/run.ts). With \`BENCH_DATABASE_URL=postgres://…\` our server stores in Postgres, and \`-- --storage=both\` measures both storages side by side.
`;
const report = `${header}\n${sections.map(sectionText).join("\n")}`;
const out = new URL("../../docs/benchmarks.md", import.meta.url);
if (writes) {
  if (fullRun) writeFileSync(out, report);
  else writeSections(out, sections);
}
log(`\n${report}`);
process.exit(0);
