import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/**
 * CPU time of the processes under test, read from /proc (Linux): a server's own, and for our server
 * on Postgres the Postgres backends that serve its connections (other clients of the same Postgres,
 * such as other test runs on the machine, are left out).
 */

/** Kernel clock ticks per second (`getconf CLK_TCK`): 100 on every Linux the bench runs on. */
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds `pid` has used so far (all its threads), or 0 once it has exited. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces: count fields from the closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Local TCP ports of `pid`'s sockets connected to `remotePort` on this machine. */
function localPortsTo(pid: number, remotePort: number): Set<number> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
      if (inode) inodes.add(inode);
    } catch {
      // closed between the listing and the read
    }
  }
  const ports = new Set<number>();
  for (const table of ["tcp", "tcp6"])
    for (const row of readFileSync(`/proc/${pid}/net/${table}`, "utf8").split("\n").slice(1)) {
      const cells = row.trim().split(/\s+/);
      const [local, remote, inode] = [cells[1], cells[2], cells[9]];
      if (!local || !remote || !inode || !inodes.has(inode)) continue;
      if (Number.parseInt(remote.split(":")[1]!, 16) === remotePort)
        ports.add(Number.parseInt(local.split(":")[1]!, 16));
    }
  return ports;
}

/**
 * The Postgres backends serving `serverPid`'s connections to the Postgres on `postgresPort`: a
 * backend's process title names its client's address and port ("postgres: … 127.0.0.1(54321) idle").
 */
export function postgresBackendsOf(serverPid: number, postgresPort: number): number[] {
  const ports = localPortsTo(serverPid, postgresPort);
  if (ports.size === 0) return [];
  const backends: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const title = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (!title.startsWith("postgres:")) continue;
      const port = /\((\d+)\)/.exec(title)?.[1];
      if (port && ports.has(Number(port))) backends.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return backends;
}

/** CPU used by a set of processes over a window, measured from its start to `stop()`. */
export interface CpuWindow {
  /** Wall-clock length of the window, s. */
  seconds: number;
  /** CPU seconds of the server process over the window. */
  server: number;
  /** CPU seconds of the server's Postgres backends (0 for PGlite and the references). */
  postgres: number;
  /** CPU seconds of the benchmark process itself (its devices), all threads. */
  bench: number;
}

export function startCpuWindow(serverPid: number, postgresPort?: number): { stop(): CpuWindow } {
  const backends = () => (postgresPort ? postgresBackendsOf(serverPid, postgresPort) : []);
  // Backends the pool opens during the window count from their start (a new process starts at 0).
  const startBackends = new Map(backends().map((pid) => [pid, cpuSeconds(pid)]));
  const startServer = cpuSeconds(serverPid);
  const startBench = process.cpuUsage();
  const startWall = performance.now();
  return {
    stop() {
      let postgres = 0;
      for (const pid of new Set([...startBackends.keys(), ...backends()]))
        postgres += Math.max(0, cpuSeconds(pid) - (startBackends.get(pid) ?? 0));
      const bench = process.cpuUsage(startBench);
      return {
        seconds: (performance.now() - startWall) / 1000,
        server: cpuSeconds(serverPid) - startServer,
        postgres,
        bench: (bench.user + bench.system) / 1e6,
      };
    },
  };
}
