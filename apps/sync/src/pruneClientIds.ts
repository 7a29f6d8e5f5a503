import { loadConfigOrExit } from "./config.ts";
import { openDatabase } from "./db/open.ts";
import { createLogger } from "./log.ts";
import { pruneUnusedClientIds } from "./writes/pruneClientIds.ts";

/**
 * `npm run prune-client-ids -w @chat/sync`, with the server's environment (DATABASE_URL or DATA_DIR):
 * removes the Yjs client-id bindings no stored document uses (writes/pruneClientIds.ts). Run it once
 * after upgrading from a version that bound an id per presence message (issue 24); running it again
 * is harmless. The servers may keep running; with embedded PGlite stop the server first (one process
 * owns the data directory).
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = createLogger({ level: config.logLevel });
  const db = await openDatabase(config, log);
  try {
    const { bindings, removed } = await pruneUnusedClientIds(db);
    log.info({ bindings, removed, kept: bindings - removed }, "pruned unused Yjs client-id bindings");
  } finally {
    await db.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
