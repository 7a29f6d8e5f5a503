import { SEGMENT_CAPACITY } from "@chat/model";
import { seedRoom, writeToDevice } from "./deviceSeed.ts";
import {
  createRoomViaApi,
  expect,
  messageArticle,
  messageLog,
  openApp,
  roomLink,
  sessionUserId,
  test,
  uniqueName,
} from "./support.ts";

/**
 * Cold start from the device (the 250 ms goal): with no network, how long from navigation
 * start until the left nav and the latest 50 messages of the open room are on screen, for a room of
 * 1,000 messages and one of 100,000. The history is written straight into the device store (as the
 * app stores it: Yjs updates in IndexedDB, one segment document per SEGMENT_CAPACITY messages), so the
 * figure measures the app, not the seeding. Prints the median of several cold loads.
 */
const RUNS = 7;
/**
 * The goal is 250 ms, but a shared machine's clock proves nothing about it (a busy CI run once took
 * 397 ms, most of it the browser's own start of the page): the test prints the figures and asserts
 * what the app controls, that the first screen does not grow with the history. A room of 100,000
 * messages must open within this many times the 1,000-message room's median (measured here about
 * 1.0-1.2×; waiting for the whole history instead of the newest segment makes it 5-10×).
 */
const HISTORY_GROWTH_LIMIT = 2.5;

/**
 * Installed in every page: the time (ms from navigation start) when nav and 50 messages are on screen.
 * With \`e2e.noTail\` set it first drops the app's cached room tails (localStorage), so the messages
 * must come from the room's segment in IndexedDB: the first open of a room on a device.
 */
const PROBE = `
  (() => {
    // The page's document exists from here on: before this, the time is the browser's alone.
    window.__pageAt = performance.now();
    if (localStorage.getItem("e2e.noTail"))
      for (const key of Object.keys(localStorage)) if (key.startsWith("chat.tail:")) localStorage.removeItem(key);
    const check = () => {
      if (window.__coldStart !== undefined) return;
      const now = performance.now();
      if (window.__navAt === undefined && document.querySelector('nav[aria-label="Rooms"] a')) window.__navAt = now;
      if (window.__logAt === undefined && document.querySelectorAll('[role="log"] article').length >= 50)
        window.__logAt = now;
      if (window.__navAt !== undefined && window.__logAt !== undefined) {
        window.__coldStart = now;
        observer.disconnect();
      }
    };
    const observer = new MutationObserver(check);
    observer.observe(document, { childList: true, subtree: true });
  })();
`;

/**
 * Run in the page: clicks the nav link of room `name` and resolves with the ms until an article with
 * `text` (the room's latest message) is in the message log.
 */
async function switchTo({ name, text }: { name: string; text: string }): Promise<number> {
  const link = [...document.querySelectorAll('nav[aria-label="Rooms"] a')].find((a) =>
    a.textContent?.includes(name),
  ) as HTMLElement | undefined;
  if (!link) throw new Error(`no nav link for ${name}`);
  const started = performance.now();
  link.click();
  return await new Promise((resolve) => {
    const check = () => {
      for (const article of document.querySelectorAll('[role="log"] article'))
        if (article.textContent?.includes(text)) {
          observer.disconnect();
          resolve(performance.now() - started);
          return;
        }
    };
    const observer = new MutationObserver(check);
    observer.observe(document, { childList: true, subtree: true, characterData: true });
    check();
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

test("cold start and switching rooms from the device: nav and the latest 50 messages, 1,000 and 100,000 messages", async ({
  person,
}, testInfo) => {
  test.setTimeout(240_000);
  const alice = await person("alice");
  const userId = await sessionUserId(alice.page);
  const rooms = [
    { total: 1_000, name: uniqueName("Thousand") },
    { total: 100_000, name: uniqueName("Hundred-thousand") },
  ];
  const ids: string[] = [];
  for (const room of rooms) ids.push(await createRoomViaApi(alice.context.request, room.name));

  // One online visit installs the service worker; the device store then gets the seeded history.
  await openApp(alice.page, "/");
  await alice.page.evaluate("navigator.serviceWorker.ready.then(() => true)");
  await alice.page.reload();
  await expect
    .poll(() => alice.page.evaluate("navigator.serviceWorker.controller !== null"), { timeout: 20_000 })
    .toBe(true);
  // A device in use has its nav snapshot (written a moment after the nav is read): wait for it.
  await expect
    .poll(() => alice.page.evaluate("Object.keys(localStorage).some((key) => key.startsWith('chat.nav:'))"))
    .toBe(true);
  await alice.context.setOffline(true);
  for (const [i, room] of rooms.entries())
    await writeToDevice(alice, userId, seedRoom(ids[i]!, room.name, userId, room.total));
  await alice.context.addInitScript(PROBE);

  const report: string[] = [];
  for (const mode of [
    "first open of the room (newest segment decoded from IndexedDB)",
    "room shown before (its cached tail first, then the segment)",
  ] as const) {
    const noTail = mode.startsWith("first open");
    const medians: number[] = [];
    for (const [i, room] of rooms.entries()) {
      const path = `/r/${ids[i]}`;
      const times: number[] = [];
      const appTimes: number[] = [];
      const parts: string[] = [];
      for (let run = 0; run < RUNS; run++) {
        await alice.page.evaluate(
          noTail ? "localStorage.setItem('e2e.noTail', '1')" : "localStorage.removeItem('e2e.noTail')",
        );
        // A new page each time: nothing of the app is in memory, everything comes from the device.
        await alice.page.close();
        alice.page = await alice.context.newPage();
        await alice.page.goto(path);
        await expect(messageArticle(alice.page, `History message number ${room.total}:`)).toBeVisible();
        await expect(roomLink(alice.page, room.name)).toBeVisible();
        const [total, nav, log, pageAt] = (await alice.page.evaluate(
          "[window.__coldStart, window.__navAt, window.__logAt, window.__pageAt]",
        )) as number[];
        times.push(total!);
        appTimes.push(total! - pageAt!);
        parts.push(`${nav!.toFixed(0)}/${log!.toFixed(0)}`);
        // Let the app write the room's tail (debounced) before the next page.
        if (!noTail) await alice.page.waitForTimeout(1_200);
      }
      // Only a window is rendered, however long the history.
      expect(await messageLog(alice.page).getByRole("article").count()).toBeLessThanOrEqual(200);
      const figure = median(times);
      report.push(
        `${room.total.toLocaleString("en")} messages, ${mode}: median ${figure.toFixed(0)} ms, from the page's start ${median(appTimes).toFixed(0)} ms (runs, nav/messages: ${parts.join(", ")})`,
      );
      medians.push(figure);
    }
    expect(
      medians[1]! / medians[0]!,
      `cold start, ${mode}: 100,000 messages ÷ 1,000 (${medians.map((m) => m.toFixed(0)).join(" ms ÷ ")} ms)`,
    ).toBeLessThan(HISTORY_GROWTH_LIMIT);
  }
  const text = `Cold start from the device cache (navigation start → nav + latest 50 messages):\n  ${report.join("\n  ")}`;
  console.log(text);
  testInfo.annotations.push({ type: "cold start", description: report.join("; ") });

  // Scrolling back (the mouse wheel, as a person would) in the 100,000-message room reaches the
  // previous segment, read from the device.
  const log = messageLog(alice.page);
  const older = messageArticle(
    alice.page,
    `History message number ${rooms[1]!.total - SEGMENT_CAPACITY - 10}:`,
  );
  await log.hover();
  for (let i = 0; i < 200 && (await older.count()) === 0; i++) await alice.page.mouse.wheel(0, -4_000);
  await expect(
    messageArticle(alice.page, `History message number ${rooms[1]!.total - SEGMENT_CAPACITY - 10}:`),
  ).toBeAttached();
  expect(await log.getByRole("article").count()).toBeLessThanOrEqual(200);

  // Switching rooms (the 100 ms goal): a click on the other room's nav link until its latest
  // message is on screen, in a fresh page, so the room's documents come from the device store; then
  // back to the room shown first, whose documents the page still holds. Half the runs switch to the
  // small room, half to the large one: the switch must not grow with the history either.
  const switches = { small: [] as number[], large: [] as number[], back: [] as number[] };
  for (let run = 0; run < 2 * RUNS; run++) {
    const [from, to] = run % 2 === 0 ? [0, 1] : [1, 0];
    await alice.page.close();
    alice.page = await alice.context.newPage();
    await alice.page.goto(`/r/${ids[from]}`);
    await expect(messageArticle(alice.page, `History message number ${rooms[from]!.total}:`)).toBeVisible();
    const there = await alice.page.evaluate(switchTo, {
      name: rooms[to]!.name,
      text: `History message number ${rooms[to]!.total}:`,
    });
    (to === 0 ? switches.small : switches.large).push(there);
    const back = await alice.page.evaluate(switchTo, {
      name: rooms[from]!.name,
      text: `History message number ${rooms[from]!.total}:`,
    });
    switches.back.push(back);
  }
  const switching = `Switching rooms (click → the room's latest message on screen): to the 1,000-message room ${median(switches.small).toFixed(0)} ms, to the 100,000-message room ${median(switches.large).toFixed(0)} ms (first time in the page: from the device store); back to a room shown before ${median(switches.back).toFixed(0)} ms (medians of ${RUNS})`;
  console.log(switching);
  testInfo.annotations.push({ type: "switching rooms", description: switching });
  expect(
    median(switches.large) / median(switches.small),
    `switching: to 100,000 messages ÷ to 1,000 (${median(switches.large).toFixed(0)} ms ÷ ${median(switches.small).toFixed(0)} ms)`,
  ).toBeLessThan(HISTORY_GROWTH_LIMIT);
});
