import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";

/** A server under test, in its own process so its memory can be read. */
export interface ServerProcess {
  child: ChildProcess;
  port: number;
  stop(): Promise<void>;
  /** Resident memory of the server process, in bytes. */
  rss(): number;
  /** The most resident memory the server process has had since it started, in bytes. */
  peakRss(): number;
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
  const profiling =
    process.env.BENCH_CPU_PROF && command === process.execPath
      ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
      : [];
  const child = spawn(command, [...profiling, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
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
    async stop() {
      if (child.exitCode !== null) return;
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

/** A memory figure of /proc/<pid>/status (VmRSS, VmHWM), in bytes. */
function statusBytes(pid: number, field: string): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024;
}
