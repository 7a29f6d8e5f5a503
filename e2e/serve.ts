/**
 * Starts the real server for the end-to-end tests (playwright.config.ts `webServer`). Without
 * DATABASE_URL it gives the server a fresh PGlite directory, removed again when the server stops, so
 * every run starts from an empty workspace.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("../apps/sync/src/main.ts", import.meta.url));
const env = { ...process.env };
let dataDir: string | undefined;
if (!env.DATABASE_URL) {
  dataDir = mkdtempSync(join(tmpdir(), "chat-e2e-"));
  env.DATA_DIR = dataDir;
}

const server = spawn(process.execPath, [main], { env, stdio: "inherit" });

// Playwright signals the whole process group, the server included; forward only if it is still up.
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    setTimeout(() => {
      if (server.exitCode === null && server.signalCode === null) server.kill(signal);
    }, 2_000).unref();
  });
}

server.on("exit", (code, signal) => {
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  process.exit(code ?? (signal ? 1 : 0));
});
