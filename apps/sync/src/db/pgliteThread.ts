import { mkdirSync, writeFileSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import type { PgliteMaintenance, PgliteReply, PgliteRequest } from "./pgliteProtocol.ts";

/**
 * The embedded database's own thread (started by pglite.ts). PGlite is Postgres compiled to WASM: every
 * query runs synchronously on the thread that calls it, file writes included. On the server's thread
 * that stalled everything else, delivering messages too, while a query ran (measured with 500 devices
 * over 50 rooms: delivery p99 ~490 ms against ~30 ms for bare Hocuspocus). Here it stalls only itself.
 *
 * Requests are answered in any order, each by its id. A transaction is opened by "begin" and holds
 * PGlite's own lock until its "end": queries outside it wait, as they would on one connection.
 */
const port = parentPort;
if (!port) throw new Error("pgliteThread.ts runs as a worker thread (see pglite.ts)");

const { dataDir, cacheMb, maintenanceEveryMs } = workerData as {
  dataDir: string;
  cacheMb?: number;
  maintenanceEveryMs?: number;
};
mkdirSync(dataDir, { recursive: true });

// `startParams` replaces PGlite's own start parameters rather than extending them.
const { defaultStartParams } = PGlite;
// The page cache is the bound on PGlite's memory (config.ts, PGLITE_CACHE_MB): Postgres allocates it
// whole at start, and WASM memory, once grown, is never returned.
const opened = PGlite.create(
  dataDir,
  cacheMb ? { startParams: [...defaultStartParams, "-c", `shared_buffers=${cacheMb}MB`] } : {},
);
/** Open transactions: their queries, and how to end them. */
const transactions = new Map<
  number,
  { tx: Transaction; end: (commit: boolean) => void; finished: Promise<void> }
>();
let nextTransaction = 1;

/**
 * `PGLITE_STATEMENT_STATS=<file>`: each statement's count and time on this thread (ms, parsing and
 * answering included), by its text, written to the file every 250 ms as JSON (`BENCH_SQL_KINDS=1` in
 * the benchmark reads it before and after a window: where the database's time per message goes).
 */
const statsFile = process.env.PGLITE_STATEMENT_STATS;
const statementStats = new Map<string, { count: number; ms: number }>();
if (statsFile)
  setInterval(
    () => writeFileSync(statsFile, JSON.stringify(Object.fromEntries(statementStats))),
    250,
  ).unref();

function counted(sql: string, started: number): void {
  // Its start and its end: statements built from the same parts differ in one or the other.
  const whole = sql.replace(/\s+/g, " ").trim();
  const text = whole.length <= 110 ? whole : `${whole.slice(0, 70)} … ${whole.slice(-35)}`;
  const entry = statementStats.get(text) ?? { count: 0, ms: 0 };
  entry.count++;
  entry.ms += performance.now() - started;
  statementStats.set(text, entry);
}

/**
 * Postgres's autovacuum does not run in PGlite (one process in single-user mode, no background
 * workers), so this thread does its work: without it the row versions that updates and deletes leave
 * behind (a room's counter moves with every message, read positions with every read, compaction
 * deletes stored updates) are never reclaimed and the files only grow, and the planner never gets
 * statistics: it planned from defaults, and once scanned a room's whole history to find its newest
 * message. Every 10 minutes by default; queries wait while it runs, as they wait for each other.
 */
const MAINTENANCE_EVERY_MS = 10 * 60_000;
let maintaining: Promise<void> | null = null;
const maintenance = setInterval(() => {
  maintaining ??= maintain().finally(() => {
    maintaining = null;
  });
}, maintenanceEveryMs ?? MAINTENANCE_EVERY_MS);
maintenance.unref();

async function maintain(): Promise<void> {
  const db = await opened;
  const started = performance.now();
  let error: string | undefined;
  try {
    await db.exec("vacuum (analyze)");
  } catch (failure) {
    error = (failure as Error)?.message ?? String(failure);
  }
  const told: PgliteMaintenance = { maintenance: { ms: performance.now() - started, error } };
  port!.postMessage(told);
}

const reply = (message: PgliteReply) => port.postMessage(message);
const failure = (id: number, error: unknown): PgliteReply => {
  const e = error as { message?: string; code?: string; detail?: string };
  return {
    id,
    ok: false,
    error: { message: e?.message ?? String(error), code: e?.code, detail: e?.detail },
  };
};

port.on("message", (request: PgliteRequest) => {
  void handle(request).then(reply, (error: unknown) => reply(failure(request.id, error)));
});

async function handle(request: PgliteRequest): Promise<PgliteReply> {
  const db = await opened;
  switch (request.op) {
    case "open":
      return { id: request.id, ok: true };
    case "query": {
      const on = request.transaction === undefined ? db : transactions.get(request.transaction)?.tx;
      if (!on) throw new Error("the transaction has ended");
      const started = performance.now();
      const result = await on.query(request.sql, request.params as unknown[] | undefined);
      if (statsFile) counted(request.sql, started);
      return { id: request.id, ok: true, rows: result.rows as object[] };
    }
    case "exec":
      await db.exec(request.sql);
      return { id: request.id, ok: true };
    case "begin":
      return begin(db, request.id);
    case "end": {
      const open = transactions.get(request.transaction);
      if (!open) throw new Error("the transaction has ended");
      open.end(request.commit);
      // Answered once COMMIT (or ROLLBACK) has run: a commit can still fail.
      await open.finished;
      return { id: request.id, ok: true };
    }
    case "close":
      clearInterval(maintenance);
      await maintaining;
      await db.close();
      return { id: request.id, ok: true };
  }
}

/** Opens a transaction and answers with its number; it commits or rolls back on its "end". */
function begin(db: PGlite, id: number): Promise<PgliteReply> {
  return new Promise((resolve, reject) => {
    const number = nextTransaction++;
    let began = false;
    const finished = db
      .transaction(
        (tx) =>
          new Promise<void>((commit, rollBack) => {
            began = true;
            transactions.set(number, {
              tx,
              end: (yes) => {
                transactions.delete(number);
                if (yes) commit();
                else rollBack(new RolledBack());
              },
              finished,
            });
            resolve({ id, ok: true, transaction: number });
          }),
      )
      .then(
        () => undefined,
        (error: unknown) => {
          transactions.delete(number);
          // A rollback asked for is no failure.
          if (error instanceof RolledBack) return;
          if (!began) reject(error);
          throw error;
        },
      );
    // Seen by "end" (the commit's own failure); before that, nobody waits on it.
    finished.catch(() => undefined);
  });
}

class RolledBack extends Error {}
