import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";
import { VitePWA } from "vite-plugin-pwa";
import solid from "vite-plugin-solid";
import {
  FILES_CACHE,
  FILES_CACHE_MAX_ENTRIES,
  fileCacheBudget,
  isCachedFileRequest,
} from "./src/lib/fileCache";

/**
 * The sync server (apps/sync) that `npm run dev` proxies to (CHAT_SYNC_URL overrides the default);
 * in production the sync server serves the built app itself, on one origin.
 */
const SYNC_SERVER = process.env.CHAT_SYNC_URL ?? "http://localhost:8080";

/** Paths the service worker must never answer from its cache: the server's own endpoints. */
const SERVER_PATHS = [/^\/api\//, /^\/sync/, /^\/healthz/, /^\/readyz/, /^\/metrics/];

/**
 * The first-screen read-ahead (src/warmDevice.ts) as an entry of its own, run by index.html before
 * the main chunk: a module script runs only once its chunk is compiled, and compiling the main chunk
 * (~240 kB) took ~40 ms in a cold page, during which IndexedDB could already be opening and reading.
 * main.tsx imports the same module, so the page evaluates it once (the main chunk imports this chunk).
 */
const FIRST_SCREEN_ENTRY = "firstScreen";

function firstScreenEntry(): Plugin {
  return {
    name: "chat:first-screen-entry",
    apply: "build",
    transformIndexHtml: {
      order: "post",
      handler(html, ctx) {
        const chunk = Object.values(ctx.bundle ?? {}).find(
          (output) => output.type === "chunk" && output.isEntry && output.name === FIRST_SCREEN_ENTRY,
        );
        if (!chunk) throw new Error(`the ${FIRST_SCREEN_ENTRY} entry is missing from the build`);
        // Before the main chunk's, and `async`: it runs as soon as it has arrived, instead of waiting
        // its turn behind the document's parsing and the main chunk's compilation (it ran only a few
        // ms before the main chunk without it, measured in a cold page).
        const main = html.indexOf('<script type="module"');
        if (main < 0) throw new Error("index.html has no module script");
        const tag = `<script type="module" async crossorigin src="/${chunk.fileName}"></script>\n    `;
        return html.slice(0, main) + tag + html.slice(main);
      },
    },
  };
}

export default defineConfig({
  plugins: [
    solid(),
    firstScreenEntry(),
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
        // Besides the precached shell, only attachments and avatars are kept (an image shown once shows again
        // offline, src/lib/fileCache.ts); every other API answer and the socket go to the network.
        runtimeCaching: [
          {
            urlPattern: isCachedFileRequest,
            handler: "CacheFirst",
            options: {
              cacheName: FILES_CACHE,
              expiration: { maxEntries: FILES_CACHE_MAX_ENTRIES, purgeOnQuotaError: true },
              plugins: [fileCacheBudget],
            },
          },
        ],
        cleanupOutdatedCaches: true,
        // Web Push: show a pushed message, and open its conversation on a click (public/push-sw.js).
        importScripts: ["/push-sw.js"],
      },
    }),
  ],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    rolldownOptions: {
      input: {
        index: fileURLToPath(new URL("index.html", import.meta.url)),
        [FIRST_SCREEN_ENTRY]: fileURLToPath(new URL("src/warmDevice.ts", import.meta.url)),
      },
    },
  },
  server: {
    proxy: {
      "/api": { target: SYNC_SERVER, changeOrigin: false },
      "/healthz": { target: SYNC_SERVER },
      "/sync": { target: SYNC_SERVER, ws: true },
    },
  },
});
