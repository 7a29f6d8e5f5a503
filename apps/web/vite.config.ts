import { defineConfig } from "vite";
import solid from "vite-plugin-solid";

/**
 * The sync server (apps/sync) that `npm run dev` proxies to (CHAT_SYNC_URL overrides the default);
 * in production the sync server serves the built app itself, on one origin.
 */
const SYNC_SERVER = process.env.CHAT_SYNC_URL ?? "http://localhost:8080";

export default defineConfig({
  plugins: [solid()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
  },
  server: {
    proxy: {
      "/api": { target: SYNC_SERVER, changeOrigin: false },
      "/healthz": { target: SYNC_SERVER },
      "/sync": { target: SYNC_SERVER, ws: true },
    },
  },
});
