// First: it changes how lib0 draws random numbers, which lib0 fixes when yjs is first imported.
import "./process/pooledRandomValues.ts";
import { loadConfigOrExit } from "./config.ts";
import type { Database } from "./db/database.ts";
import { openDatabase } from "./db/open.ts";
import { createLogger } from "./log.ts";
import { routeConsoleToLog } from "./process/consoleToLog.ts";
import { keepServingOnUnhandledRejections } from "./process/processGuards.ts";
import { startServer } from "./server.ts";

/** Entry point: configuration, database (waiting for it if it is not up yet), server, signals. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = createLogger({ level: config.logLevel });
  routeConsoleToLog(log);
  let countUnhandled = () => {};
  keepServingOnUnhandledRejections(log, () => countUnhandled());
  const where = config.databaseUrl
    ? `Postgres at ${new URL(config.databaseUrl).host}`
    : `embedded PGlite in ${config.dataDir}`;

  let db: Database | undefined;
  for (let attempt = 1, delay = 1_000; !db; attempt++, delay = Math.min(delay * 2, 30_000)) {
    try {
      db = await openDatabase(config, log);
    } catch (error) {
      log.error(
        { attempt, retryInMs: delay, error: String(error) },
        `cannot open the database (${where}); retrying`,
      );
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  const server = await startServer(config, db, log);
  countUnhandled = () => server.metrics.unhandledRejection();
  log.info(
    {
      url: server.url,
      database: where,
      web: config.webDist ?? "not built",
      metrics: server.metricsUrl ?? "off",
    },
    `chat is running at ${server.url}${config.webDist ? "" : " (web app not built: run npm run build)"}`,
  );

  const shutdown = (signal: string) => {
    log.info({ signal }, "shutting down");
    server.close().then(
      () => process.exit(0),
      (error) => {
        log.error({ error: String(error) }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
