import pg from "pg";
import type { Logger } from "../log.ts";
import type { Database, Queryable } from "./database.ts";

// Sequence counters and ids are bigint; they stay far below 2^53, so read them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

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
  ) => (await client.query<T>(sql, params as unknown[] | undefined)).rows;
  await run(pool, "select 1");
  return {
    driver: "pg",
    query: (sql, params) => run(pool, sql, params),
    async exec(sql) {
      await pool.query(sql);
    },
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query("begin");
        const tx: Queryable = { query: (sql, params) => run(client, sql, params) };
        const result = await work(tx);
        await client.query("commit");
        return result;
      } catch (error) {
        await client.query("rollback").catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
