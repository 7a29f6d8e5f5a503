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
}

/** Every server started, so none outlives the benchmark if it stops on an error. */
const running = new Set<ChildProcess>();
process.on("exit", stopAllNow);

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

export async function startProcess(
  args: string[],
  port: number,
  env: NodeJS.ProcessEnv,
  ready: () => Promise<boolean>,
): Promise<ServerProcess> {
  // `BENCH_CPU_PROF=<folder>`: each server writes a V8 CPU profile there when it stops (to see where
  // a server's time goes under the benchmark's load; open it in Chrome's DevTools).
  const profiling = process.env.BENCH_CPU_PROF
    ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
    : [];
  const child = spawn(process.execPath, [...profiling, ...args], {
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
    rss() {
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      return kb * 1024;
    },
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
