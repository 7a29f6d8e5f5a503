import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sleep } from "./stats.ts";

/** A server under test, in its own process so its memory can be read. */
export interface ServerProcess {
  child: ChildProcess;
  port: number;
  stop(): Promise<void>;
  /** Resident memory of the server process, in bytes. */
  rss(): number;
  /** The most resident memory the server process has had since it started, in bytes. */
  peakRss(): number;
  /**
   * A Node server's live JavaScript heap, in bytes: what a heap snapshot (taken after a full
   * collection) holds on the server's main thread. Undefined for servers that are not Node.
   */
  liveHeap?: () => Promise<number>;
}

/** Every server started, so none outlives the benchmark if it stops on an error. */
const running = new Set<ChildProcess>();
process.on("exit", stopAllNow);
// Ctrl-C or a kill ends the benchmark without its "exit" event: stop the servers (Prosody among
// them) on the way out all the same.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const)
  process.once(signal, () => {
    stopAllNow();
    process.exit(128 + (signal === "SIGINT" ? 2 : signal === "SIGTERM" ? 15 : 1));
  });

/** Kills every server still running (the benchmark is ending, perhaps on an error). */
export function stopAllNow(): void {
  for (const child of running) child.kill("SIGKILL");
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts a server and waits until `ready` answers. `command` is Node (this repository's) unless
 * given: Prosody is a program of its own.
 */
export async function startProcess(
  args: string[],
  port: number,
  env: NodeJS.ProcessEnv,
  ready: () => Promise<boolean>,
  command = process.execPath,
): Promise<ServerProcess> {
  // `BENCH_CPU_PROF=<folder>`: each Node server writes a V8 CPU profile there when it stops (to see
  // where a server's time goes under the benchmark's load; open it in Chrome's DevTools).
  const node = command === process.execPath;
  const profiling =
    process.env.BENCH_CPU_PROF && node ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  // SIGUSR2 makes a Node server write a heap snapshot into a folder of its own (liveHeap).
  const snapshots = node ? mkdtempSync(join(tmpdir(), "bench-heap-")) : null;
  const snapshotting = snapshots ? ["--heapsnapshot-signal=SIGUSR2", `--diagnostic-dir=${snapshots}`] : [];
  const child = spawn(command, [...profiling, ...snapshotting, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  running.add(child);
  child.once("exit", () => {
    running.delete(child);
    if (snapshots) rmSync(snapshots, { recursive: true, force: true });
  });
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`${args.join(" ")} exited with ${child.exitCode}`);
    if (await ready().catch(() => false)) break;
    if (i > 600) throw new Error(`${args.join(" ")} did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    port,
    rss: () => statusBytes(child.pid!, "VmRSS"),
    peakRss: () => statusBytes(child.pid!, "VmHWM"),
    liveHeap: snapshots ? () => liveHeapOf(child, snapshots) : undefined,
    async stop() {
      // Stopped already (by a signal, a process has no exit code).
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export async function portAnswers(port: number, path = "/"): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return response.status < 500;
}

/**
 * Has `child` write a heap snapshot into `folder` and sums what it holds: the live heap, since V8
 * collects all garbage before it takes one. Resident memory says less per device: V8 and PGlite take
 * memory in steps and keep it, so the growth from one reading to the next is mostly where a step fell.
 */
async function liveHeapOf(child: ChildProcess, folder: string): Promise<number> {
  const before = new Set(readdirSync(folder));
  child.kill("SIGUSR2");
  for (let waited = 0; waited < 120_000; waited += 250) {
    await sleep(250);
    const file = readdirSync(folder).find((name) => name.endsWith(".heapsnapshot") && !before.has(name));
    if (!file) continue;
    const path = join(folder, file);
    // Written in pieces while the server is held: read once its size stops changing and it parses.
    const size = statSync(path).size;
    await sleep(250);
    if (statSync(path).size !== size) continue;
    let snapshot: HeapSnapshot;
    try {
      snapshot = JSON.parse(readFileSync(path, "utf8")) as HeapSnapshot;
    } catch {
      continue;
    }
    rmSync(path);
    const fields = snapshot.snapshot.meta.node_fields;
    const selfSize = fields.indexOf("self_size");
    let bytes = 0;
    for (let i = selfSize; i < snapshot.nodes.length; i += fields.length) bytes += snapshot.nodes[i]!;
    return bytes;
  }
  throw new Error("the server wrote no heap snapshot within two minutes");
}

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[] } };
  nodes: number[];
}

/** A memory figure of /proc/<pid>/status (VmRSS, VmHWM), in bytes. */
function statusBytes(pid: number, field: string): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024;
}
