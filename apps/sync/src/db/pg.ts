import pg from "pg";
import type { Logger } from "../log.ts";
import { type Database, DatabaseUnavailable, type Queryable } from "./database.ts";

// Sequence counters and ids are bigint; they stay far below 2^53, so read them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** Socket errors: the server is down, restarting, or the network between us is. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
]);

/**
 * SQLSTATEs that mean "no database to talk to right now" rather than "this statement is wrong":
 * class 08 (connection exception), the server shutting down or starting (57P01–57P03), and no
 * connection slot left (53300).
 */
const UNAVAILABLE_STATES = /^(08...|57P0[123]|53300)$/;

/** What node-postgres says when a connection it had is gone or a new one could not be made in time. */
const CONNECTION_LOST =
  /Connection terminated|not queryable|timeout exceeded when trying to connect|Cannot use a pool after calling end/;

/** Whether `error` means the database cannot be reached (as opposed to a statement failing). */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code } = error as Error & { code?: unknown };
  if (typeof code === "string" && (NETWORK_CODES.has(code) || UNAVAILABLE_STATES.test(code))) return true;
  if (CONNECTION_LOST.test(error.message)) return true;
  // Node tries each address of a host name in turn and reports every failure together.
  if (error instanceof AggregateError) return error.errors.some(isConnectionError);
  return false;
}

/** Callers tell "database unreachable" (503, retry) from a bug by this one type (db/database.ts). */
const asUnavailable = (error: unknown) =>
  isConnectionError(error) ? new DatabaseUnavailable((error as Error).message, { cause: error }) : error;

export async function openPostgres(connectionString: string, log?: Logger): Promise<Database> {
  const pool = new pg.Pool({ connectionString, max: 10, connectionTimeoutMillis: 5_000 });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on("error", (error) =>
    log?.warn({ error: error.message }, "lost an idle Postgres connection; the pool replaces it"),
  );
  const run = async <T extends object>(
    client: Pick<pg.Pool, "query">,
    sql: string,
    params?: readonly unknown[],
  ) => {
    try {
      return (await client.query<T>(sql, params as unknown[] | undefined)).rows;
    } catch (error) {
      throw asUnavailable(error);
    }
  };
  await run(pool, "select 1");
  return {
    driver: "pg",
    query: (sql, params) => run(pool, sql, params),
    async exec(sql) {
      await run(pool, sql);
    },
    async transaction(work) {
      const client = await pool.connect().catch((error: unknown) => {
        throw asUnavailable(error);
      });
      // A checked-out client has no listener of the pool's: a connection that drops while the
      // transaction is open (in a statement or between two) emits 'error' on it, which unheard
      // would end the process. Heard, the transaction's next statement fails and it rolls back.
      let lost: Error | null = null;
      const onError = (error: Error) => {
        if (!lost) log?.warn({ error: error.message }, "lost a Postgres connection during a transaction");
        lost ??= error;
      };
      client.on("error", onError);
      try {
        await run(client, "begin");
        const tx: Queryable = { query: (sql, params) => run(client, sql, params) };
        const result = await work(tx);
        await run(client, "commit");
        return result;
      } catch (error) {
        if (!lost) await client.query("rollback").catch(() => {});
        throw error;
      } finally {
        client.removeListener("error", onError);
        // With the error the pool drops this client instead of handing its dead connection out again.
        client.release(lost ?? undefined);
      }
    },
    close: () => pool.end(),
  };
}
