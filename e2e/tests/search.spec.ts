/// <reference lib="dom" />
import { randomBytes } from "node:crypto";
import type { Page } from "@playwright/test";
import {
  createRoomViaApi,
  expect,
  expectOnline,
  messageArticle,
  openApp,
  roomLink,
  sendMessage,
  sessionUserId,
  test,
  uniqueName,
} from "./support.ts";

const searchBox = (page: Page) => page.getByRole("searchbox", { name: "Search messages" });
const searchResults = (page: Page) => page.getByRole("region", { name: "Search results" });
/** The results of one room: a section named by the room's heading. */
const roomResults = (page: Page, roomName: string) =>
  searchResults(page).getByRole("region", { name: roomName });

/** Whether the person's persisted search index (IndexedDB) holds `word`. */
function persistedIndexHolds(page: Page, userId: string, word: string): Promise<boolean> {
  return page.evaluate(
    ({ name, word }) =>
      new Promise<boolean>((resolve) => {
        const open = indexedDB.open(name);
        open.onerror = () => resolve(false);
        open.onsuccess = () => {
          const db = open.result;
          // The index is kept one shard (history segment) a record.
          if (!db.objectStoreNames.contains("shards")) {
            db.close();
            return resolve(false);
          }
          const get = db.transaction("shards").objectStore("shards").getAll();
          get.onsuccess = () => {
            db.close();
            resolve(get.result.some((shard) => typeof shard === "string" && shard.includes(word)));
          };
          get.onerror = () => {
            db.close();
            resolve(false);
          };
        };
      }),
    { name: `chat-search-${userId}`, word },
  );
}

test("a word sent in another room is found under that room's heading, also offline and after a reload, and opens the message", async ({
  person,
}) => {
  test.setTimeout(120_000);
  const alice = await person("alice");
  const { page } = alice;
  const lobby = uniqueName("lobby");
  const design = uniqueName("design");
  await createRoomViaApi(alice.context.request, lobby);
  const designId = await createRoomViaApi(alice.context.request, design);
  const word = `zephyrine${randomBytes(3).toString("hex")}`;

  // The word goes into "design" with plenty of messages after it, so opening it must scroll up to it.
  await openApp(page, `/r/${designId}`);
  await expectOnline(page);
  await sendMessage(page, `The ${word} prototype is ready for review`);
  await expect(messageArticle(page, word).getByRole("img", { name: "Sent" })).toBeVisible();
  for (let i = 0; i < 30; i++) await sendMessage(page, `later note number ${i}`);
  await expect(messageArticle(page, "later note number 29").getByRole("img", { name: "Sent" })).toBeVisible();

  // From another room, the start of the word finds it, under the design room's heading.
  await roomLink(page, lobby).click();
  await expect(page.getByRole("heading", { level: 1, name: lobby })).toBeVisible();
  await searchBox(page).fill(word.slice(0, 7));
  await expect(searchResults(page)).toBeVisible();
  await expect(searchResults(page).getByRole("heading", { name: design })).toBeVisible();
  const hit = roomResults(page, design).getByRole("link", { name: new RegExp(word) });
  await expect(hit).toBeVisible();
  await expect(hit).toContainText(alice.username);
  await expect(hit.locator("mark")).toHaveText(word);

  // Escape closes the results; the arrow keys reach the hit and Enter opens it at the message.
  await searchBox(page).press("Escape");
  await expect(searchResults(page)).toBeHidden();
  await searchBox(page).fill(word);
  await expect(roomResults(page, design).getByRole("link", { name: new RegExp(word) })).toBeVisible();
  await searchBox(page).press("ArrowDown");
  await expect(roomResults(page, design).getByRole("link", { name: new RegExp(word) })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/r/${designId}\\?m=[a-z0-9]+$`));
  await expect(page.getByRole("heading", { level: 1, name: design })).toBeVisible();
  await expect(searchResults(page)).toBeHidden();
  await expect(messageArticle(page, word)).toBeInViewport();
  await expect(messageArticle(page, "later note number 29")).not.toBeInViewport();

  // Offline: the index is on the device, so search still answers, and the hit still opens.
  await roomLink(page, lobby).click();
  await alice.context.setOffline(true);
  await expect(page.getByRole("status").filter({ hasText: "Offline" }).first()).toBeVisible();
  await searchBox(page).fill(`${word} review`);
  const offlineHit = roomResults(page, design).getByRole("link", { name: new RegExp(word) });
  await expect(offlineHit).toBeVisible();
  await offlineHit.click();
  await expect(page.getByRole("heading", { level: 1, name: design })).toBeVisible();
  await expect(messageArticle(page, word)).toBeInViewport();
  await alice.context.setOffline(false);

  // The index persists: after a reload with the sync socket refused (no document can arrive), the
  // word is still found, from the device's copy of the index.
  const userId = await sessionUserId(page);
  await expect.poll(() => persistedIndexHolds(page, userId, word), { timeout: 30_000 }).toBe(true);
  await page.routeWebSocket(/\/sync/, (socket) => socket.close());
  await openApp(page, "/");
  await searchBox(page).fill(word);
  await expect(roomResults(page, design).getByRole("link", { name: new RegExp(word) })).toBeVisible();
  await page.unrouteAll();

  // Signing out removes the person's search index from the device.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await expect
    .poll(async () => (await page.evaluate(() => indexedDB.databases())).map((db) => db.name))
    .not.toContain(`chat-search-${userId}`);
});

test("the help popover lists the filters, and a filter narrows the results", async ({ person }) => {
  const bob = await person("bob");
  const { page } = bob;
  const roomName = uniqueName("ops");
  const roomId = await createRoomViaApi(bob.context.request, roomName);
  await openApp(page, `/r/${roomId}`);
  await expectOnline(page);
  const word = `quokka${randomBytes(3).toString("hex")}`;
  await sendMessage(page, `${word} notes without a link`);
  await sendMessage(page, `${word} notes at https://example.com/runbook`);
  await expect(messageArticle(page, "runbook").getByRole("img", { name: "Sent" })).toBeVisible();

  await page.getByRole("button", { name: "Search help" }).click();
  const help = page.getByRole("dialog", { name: "Search filters" });
  await expect(help).toBeVisible();
  for (const filter of [
    "from:username",
    "in:room",
    "before:YYYY-MM-DD",
    "after:YYYY-MM-DD",
    "has:link",
    "has:file",
    "has:image",
  ])
    await expect(help).toContainText(filter);
  await help.getByRole("button", { name: /has:link/ }).click();
  await expect(help).toBeHidden();
  await expect(searchBox(page)).toHaveValue("has:link ");
  await expect(searchBox(page)).toBeFocused();
  await page.keyboard.type(word);
  const links = roomResults(page, roomName).getByRole("link");
  await expect(links).toHaveCount(1);
  await expect(links.first()).toContainText("runbook");

  await searchBox(page).fill(`${word} from:nobody-by-that-name`);
  await expect(searchResults(page)).toContainText('No one is called "nobody-by-that-name".');
  await searchBox(page).fill(`${word} from:${bob.username}`);
  await expect(roomResults(page, roomName).getByRole("link")).toHaveCount(2);
});
