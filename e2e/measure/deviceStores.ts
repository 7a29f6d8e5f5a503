/**
 * Cold loads from the device: the app's own store (apps/web/src/device/localStore.ts) against
 * y-indexeddb holding one database per document, in the same browser profile and the same run.
 *
 *   npm run measure:stores -w @chat/e2e [-- --rounds 7 --relaunch]
 *
 * Writes a room of 10,000 and one of 100,000 messages into both stores (storesPage.ts says how), then
 * alternates the stores, round after round, each load in a fresh page (with --relaunch, a freshly
 * started browser), timing two loads into Y.Docs: the room document and its newest segment (what the
 * first screen needs), and the room document and every segment. Prints medians and the spread.
 * Not a test: nothing here runs in `npm test` or the Playwright suite.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BrowserContext, chromium, type Page } from "@playwright/test";
import { build } from "vite";
import type { RoomNames, Store } from "./storesPage.ts";

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const ROUNDS = Number(option("--rounds") ?? 7);
const RELAUNCH = args.includes("--relaunch");
const ORIGIN = "http://stores.measure";
const ROOMS = [
  { id: "room000000010000", total: 10_000 },
  { id: "room000000100000", total: 100_000 },
];
const LOADS = ["room + newest segment", "room + every segment"] as const;
const STORES: Store[] = ["ours", "y-indexeddb"];

/** The page script, bundled and minified as the app's own build would ship it. */
async function bundlePage(): Promise<string> {
  const entry = fileURLToPath(new URL("./storesPage.ts", import.meta.url));
  const result = await build({
    configFile: false,
    logLevel: "warn",
    root: fileURLToPath(new URL(".", import.meta.url)),
    build: {
      write: false,
      minify: true,
      target: "es2022",
      lib: { entry, formats: ["iife"], name: "storesPage", fileName: () => "stores.js" },
    },
  });
  const outputs = Array.isArray(result) ? result : [result];
  for (const output of outputs)
    if ("output" in output)
      for (const chunk of output.output) if (chunk.type === "chunk" && chunk.isEntry) return chunk.code;
  throw new Error("the page bundle has no entry chunk");
}

async function launch(profile: string, script: string): Promise<BrowserContext> {
  // A profile on disk: a plain browser context keeps IndexedDB in memory, which is no cold load.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
  });
  await context.route(`${ORIGIN}/**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === "/stores.js")
      return route.fulfill({
        contentType: "text/javascript",
        body: script,
        headers: { "cache-control": "no-store" },
      });
    return route.fulfill({
      contentType: "text/html",
      body: '<!doctype html><meta charset="utf-8"><title>stores</title><script src="/stores.js"></script>',
    });
  });
  return context;
}

async function freshPage(context: BrowserContext): Promise<Page> {
  for (const page of context.pages()) await page.close();
  const page = await context.newPage();
  await page.goto(`${ORIGIN}/`);
  await page.waitForFunction("window.stores !== undefined");
  return page;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const script = await bundlePage();
const profile = mkdtempSync(join(tmpdir(), "chat-stores-"));
let context = await launch(profile, script);
try {
  const names = new Map<string, RoomNames>();
  const seedPage = await freshPage(context);
  for (const room of ROOMS) {
    const started = Date.now();
    const rows = (await seedPage.evaluate(([id, total]) => window.stores.seed(id, total), [
      room.id,
      room.total,
    ] as const)) as { ours: number; yIndexeddb: number };
    names.set(
      room.id,
      await seedPage.evaluate(([id, total]) => window.stores.namesOf(id, total), [
        room.id,
        room.total,
      ] as const),
    );
    console.log(
      `seeded ${room.total.toLocaleString("en")} messages in ${((Date.now() - started) / 1000).toFixed(1)} s: rows, ours ${rows.ours}, y-indexeddb ${rows.yIndexeddb}`,
    );
  }

  const times = new Map<string, number[]>();
  const messages = new Map<string, Set<number>>();
  // Round 0 warms up (the browser's first loads after seeding), and is not counted.
  for (let round = 0; round <= ROUNDS; round++) {
    // Alternate which store goes first, so both see the same noise and neither always follows the other.
    const order = round % 2 === 0 ? STORES : [...STORES].reverse();
    for (const room of ROOMS)
      for (const what of LOADS)
        for (const store of order) {
          if (RELAUNCH) {
            await context.close();
            context = await launch(profile, script);
          }
          const page = await freshPage(context);
          const { room: roomDoc, segments } = names.get(room.id)!;
          const docs = what === LOADS[0] ? [roomDoc, segments[segments.length - 1]!] : [roomDoc, ...segments];
          const result = await page.evaluate(([s, d]) => window.stores.load(s, d), [store, docs] as const);
          if (round === 0) continue;
          const key = `${room.total}\n${what}\n${store}`;
          times.set(key, [...(times.get(key) ?? []), result.ms]);
          const counts = messages.get(`${room.total}\n${what}`) ?? new Set();
          counts.add(result.messages);
          messages.set(`${room.total}\n${what}`, counts);
        }
    console.log(round === 0 ? "warm-up round done" : `round ${round}/${ROUNDS} done`);
  }

  const lines = [
    `Loads into Y.Docs from a cold page${RELAUNCH ? " (browser relaunched for every load)" : ""}, ${ROUNDS} rounds, median ms [min–max]:`,
    "",
    "| messages | load | ours | y-indexeddb | y-indexeddb / ours |",
    "|---:|---|---:|---:|---:|",
  ];
  for (const room of ROOMS)
    for (const what of LOADS) {
      const counts = messages.get(`${room.total}\n${what}`)!;
      if (counts.size !== 1)
        throw new Error(`the stores loaded different messages for ${what}: ${[...counts]}`);
      const [ours, theirs] = STORES.map((store) => times.get(`${room.total}\n${what}\n${store}`)!);
      const cell = (values: number[]) =>
        `${median(values).toFixed(0)} [${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}]`;
      lines.push(
        `| ${room.total.toLocaleString("en")} | ${what} (${[...counts][0]!.toLocaleString("en")} messages) | ${cell(ours!)} | ${cell(theirs!)} | ${(median(theirs!) / median(ours!)).toFixed(2)} |`,
      );
    }
  console.log(lines.join("\n"));
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
