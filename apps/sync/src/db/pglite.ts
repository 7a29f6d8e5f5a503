import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import type { Database } from "./database.ts";

/** Embedded Postgres in `dataDir`, so `npm start` needs no database server. */
export async function openPglite(dataDir: string): Promise<Database> {
  mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  return {
    driver: "pglite",
    query: async <T extends object>(sql: string, params?: readonly unknown[]) =>
      (await db.query<T>(sql, params as unknown[] | undefined)).rows,
    async exec(sql) {
      await db.exec(sql);
    },
    transaction: (work) =>
      db.transaction((tx) =>
        work({
          query: async <T extends object>(sql: string, params?: readonly unknown[]) =>
            (await tx.query<T>(sql, params as unknown[] | undefined)).rows,
        }),
      ),
    close: () => db.close(),
  };
}
