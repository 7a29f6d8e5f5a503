import type { Logger } from "../log.ts";
import type { Database } from "./database.ts";
import { migrate } from "./migrations.ts";
import { openPostgres } from "./pg.ts";
import { openPglite } from "./pglite.ts";

/** Opens the configured database and brings its schema up to date. */
export async function openDatabase(
  options: { databaseUrl?: string; dataDir: string; pgliteCacheMb?: number },
  log?: Logger,
): Promise<Database> {
  const db = options.databaseUrl
    ? await openPostgres(options.databaseUrl, log)
    : await openPglite(options.dataDir, { cacheMb: options.pgliteCacheMb, log });
  await migrate(db);
  return db;
}
