import { defineConfig } from "vite";
import { VitePWA } from "vite-plugin-pwa";
import solid from "vite-plugin-solid";

/**
 * The sync server (apps/sync) that `npm run dev` proxies to (CHAT_SYNC_URL overrides the default);
 * in production the sync server serves the built app itself, on one origin.
 */
const SYNC_SERVER = process.env.CHAT_SYNC_URL ?? "http://localhost:8080";

/** Paths the service worker must never answer from its cache: the server's own endpoints. */
const SERVER_PATHS = [/^\/api\//, /^\/sync/, /^\/healthz/, /^\/readyz/, /^\/metrics/];

export default defineConfig({
  plugins: [
    solid(),
    // The installable app: a manifest, and a service worker that precaches the app shell so a reload
    // and deep links (/r/<id>, /dm/<name>) open with no network. A new deployment waits ("prompt")
    // until the person chooses "Reload", so nobody loses what they are typing.
    VitePWA({
      registerType: "prompt",
      injectRegister: false,
      includeAssets: ["favicon.svg", "icons/apple-touch-icon-180.png"],
      manifest: {
        name: "Chat — team chat that works offline",
        short_name: "Chat",
        description: "Team chat that keeps working offline.",
        id: "/",
        start_url: "/",
        scope: "/",
        display: "standalone",
        background_color: "#1f1d2b",
        theme_color: "#1f1d2b",
        icons: [
          { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
          { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
          { src: "/icons/maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
        ],
      },
      workbox: {
        globPatterns: ["**/*.{js,css,html,svg,png,webmanifest}"],
        navigateFallback: "/index.html",
        navigateFallbackDenylist: SERVER_PATHS,
        // Only the precached shell: API answers and the socket always go to the network.
        runtimeCaching: [],
        cleanupOutdatedCaches: true,
      },
    }),
  ],
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
