import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { TEST_METRICS_TOKEN, type TestStorage } from "./harness.ts";

const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));

/** A free port on this machine, so a server can be restarted on the same address. */
export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The real server (src/main.ts) as a child process: SIGKILL is a real kill, and a crash is a real
 * exit, not an error in the test's own process. What it writes to stdout and stderr is kept.
 */
export class ServerProcess {
  readonly url: string;
  readonly wsUrl: string;
  /** Served to TEST_METRICS_TOKEN (harness readMetrics), unless the test sets METRICS_TOKEN itself. */
  readonly metricsUrl: string;
  readonly child: ChildProcess;
  /** Everything the process printed (its log lines are JSON on stdout). */
  output = "";
  readonly exited: Promise<number | null>;

  private constructor(port: number, child: ChildProcess) {
    this.url = `http://127.0.0.1:${port}`;
    this.wsUrl = `ws://127.0.0.1:${port}/sync`;
    this.metricsUrl = `${this.url}/metrics`;
    this.child = child;
    child.stdout?.on("data", (chunk: Buffer) => {
      this.output += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      this.output += chunk.toString();
    });
    this.exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  }

  static async start(
    storage: TestStorage,
    port: number,
    env: Record<string, string> = {},
  ): Promise<ServerProcess> {
    const child = spawn(process.execPath, [main], {
      env: {
        ...process.env,
        ...storage.env,
        LOG_LEVEL: "error",
        METRICS_TOKEN: TEST_METRICS_TOKEN,
        ...env,
        PORT: String(port),
        HOST: "127.0.0.1",
        WEB_DIST: "",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const server = new ServerProcess(port, child);
    running.add(server);
    void server.exited.then(() => running.delete(server));
    for (let i = 0; i < 300; i++) {
      if (await server.healthy()) return server;
      if (!server.alive) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    server.child.kill("SIGKILL");
    throw new Error(`server did not start:\n${server.output}`);
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  healthy(): Promise<boolean> {
    return fetch(`${this.url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
  }

  /** Sends the signal and resolves with the exit code once the process is gone. */
  async stop(signal: NodeJS.Signals = "SIGKILL"): Promise<number | null> {
    if (this.alive) this.child.kill(signal);
    return this.exited;
  }
}

const running = new Set<ServerProcess>();

/** Kills every server process still running (for afterAll, after a failed test). */
export async function killServerProcesses(): Promise<void> {
  await Promise.all([...running].map((server) => server.stop("SIGKILL")));
}
