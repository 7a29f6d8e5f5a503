import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, devices } from "@playwright/test";

/**
 * End-to-end tests: the system Chromium (never a downloaded one) against the real server, started by
 * Playwright with a fresh embedded database (PGlite in a temp directory, see serve.ts) for every run.
 * With DATABASE_URL in the environment the server uses that Postgres instead.
 */
const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, "..");
const port = Number(process.env.E2E_PORT ?? 8765);
const baseURL = `http://127.0.0.1:${port}`;
const ci = !!process.env.CI;

// The server is TypeScript run by Node 22's type stripping: prefer the repo's own Node 22 (the `node`
// devDependency), whatever Node started Playwright.
const repoNode = resolve(repoRoot, "node_modules/.bin/node");
const node = existsSync(repoNode) ? repoNode : process.execPath;

export default defineConfig({
  testDir: "tests",
  // The first account of the fresh workspace: its admin (global-setup.ts).
  globalSetup: "./global-setup.ts",
  outputDir: "test-results",
  fullyParallel: false,
  // Two cores: one worker keeps the server, Chromium and the tests from starving each other.
  workers: 1,
  // A flaky test is a bug to fix. In CI a failed test runs once more, so that one rare timing failure
  // on a loaded machine does not throw away a whole submission; the list reporter marks such a test
  // "flaky", and each one is written up as a bug (two are open: a draft's last keystrokes lost when
  // the tab closes at once under load, and an honest change refused as deleting what the server does
  // not have). A test that fails twice fails the run.
  retries: ci ? 1 : 0,
  forbidOnly: ci,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list", { printSteps: false }]],
  use: {
    baseURL,
    actionTimeout: 10_000,
    navigationTimeout: 15_000,
    trace: ci ? "off" : "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
          args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
          ],
        },
      },
    },
  ],
  webServer: {
    command: `"${node}" serve.ts`,
    cwd: here,
    url: `${baseURL}/healthz`,
    // Uploads up to 2 MB: the size limit is tested with a small file (files.spec.ts). Pushes may go to
    // the tests' own push service on this machine (push.spec.ts).
    env: { PORT: String(port), HOST: "127.0.0.1", MAX_UPLOAD_MB: "2", PUSH_ALLOW_LOCAL: "true" },
    reuseExistingServer: !ci,
    timeout: 120_000,
    // Errors (stderr) always show; the info log only with E2E_SERVER_LOG=1.
    stdout: process.env.E2E_SERVER_LOG ? "pipe" : "ignore",
    stderr: "pipe",
    gracefulShutdown: { signal: "SIGTERM", timeout: 10_000 },
  },
});
