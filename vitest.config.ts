import { defineConfig } from "vitest/config";

// One vitest run covers every workspace's unit and integration tests; e2e has its own runner.
export default defineConfig({
  test: {
    include: ["packages/*/src/**/*.test.ts", "apps/*/src/**/*.test.ts", "apps/*/test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Postgres-backed tests share one database; files run one at a time to keep them independent.
    fileParallelism: false,
  },
});
