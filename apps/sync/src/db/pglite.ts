import { Worker } from "node:worker_threads";
import type { Logger } from "../log.ts";
import { type Database, DatabaseUnavailable, type Queryable } from "./database.ts";
import type { PgliteMaintenance, PgliteReply, PgliteRequest } from "./pgliteProtocol.ts";

type Request = PgliteRequest extends infer R ? (R extends { id: number } ? Omit<R, "id"> : never) : never;

/**
 * Embedded Postgres in `dataDir`, so `npm start` needs no database server. PGlite runs on a thread of
 * its own (pgliteThread.ts): its queries are synchronous WASM, and on the server's thread every one of
 * them held up the delivery of messages.
 */
export async function openPglite(
  dataDir: string,
  options: { cacheMb?: number; maintenanceEveryMs?: number; log?: Logger } = {},
): Promise<Database> {
  const { log } = options;
  const worker = new Worker(new URL("./pgliteThread.ts", import.meta.url), {
    workerData: { dataDir, cacheMb: options.cacheMb, maintenanceEveryMs: options.maintenanceEveryMs },
  });
  const waiting = new Map<
    number,
    { resolve: (reply: PgliteReply & { ok: true }) => void; reject: (error: Error) => void }
  >();
  let nextId = 1;
  let gone: Error | null = null;
  const failAll = (error: Error) => {
    gone = error;
    for (const { reject } of waiting.values()) reject(error);
    waiting.clear();
  };
  worker.on("message", (reply: PgliteReply | PgliteMaintenance) => {
    if ("maintenance" in reply) {
      const { ms, error } = reply.maintenance;
      if (error)
        log?.error({ error, ms: Math.round(ms) }, "the embedded database's vacuum and analyze failed");
      // Queries waited meanwhile: a slow one is worth knowing of.
      else if (ms > 1_000)
        log?.warn({ ms: Math.round(ms) }, "the embedded database's vacuum and analyze was slow");
      else log?.debug({ ms: Math.round(ms) }, "the embedded database vacuumed and analyzed");
      return;
    }
    const entry = waiting.get(reply.id);
    if (!entry) return;
    waiting.delete(reply.id);
    if (waiting.size === 0) worker.unref();
    if (reply.ok) entry.resolve(reply);
    else entry.reject(Object.assign(new Error(reply.error.message), reply.error));
  });
  worker.on("error", (error) =>
    failAll(new DatabaseUnavailable(`the embedded database stopped: ${error.message}`)),
  );
  worker.on("exit", (code) =>
    failAll(new DatabaseUnavailable(`the embedded database's thread exited (${code})`)),
  );

  const send = (request: Request): Promise<PgliteReply & { ok: true }> =>
    new Promise((resolve, reject) => {
      if (gone) return reject(gone);
      const id = nextId++;
      // The thread keeps the process alive only while an answer is awaited, like a socket would:
      // a test or tool that forgets close() still ends.
      if (waiting.size === 0) worker.ref();
      waiting.set(id, { resolve, reject });
      worker.postMessage({ ...request, id });
    });
  const query =
    (transaction?: number) =>
    async <T extends object>(sql: string, params?: readonly unknown[]): Promise<T[]> =>
      ((await send({ op: "query", sql, params, transaction })).rows ?? []) as T[];

  try {
    await send({ op: "open" });
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  return {
    driver: "pglite",
    query: query(),
    async exec(sql) {
      await send({ op: "exec", sql });
    },
    async transaction(work) {
      const { transaction } = await send({ op: "begin" });
      const tx: Queryable = { query: query(transaction) };
      let result: Awaited<ReturnType<typeof work>>;
      try {
        result = await work(tx);
      } catch (error) {
        await send({ op: "end", transaction: transaction!, commit: false }).catch(() => {});
        throw error;
      }
      await send({ op: "end", transaction: transaction!, commit: true });
      return result;
    },
    async close() {
      if (!gone) await send({ op: "close" }).catch(() => {});
      await worker.terminate();
    },
  };
}
