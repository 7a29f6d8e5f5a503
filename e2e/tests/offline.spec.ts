import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  createRoomViaApi,
  expect,
  expectOnline,
  installApp,
  joinRoomViaApi,
  messageArticle,
  messageBox,
  messageLog,
  openApp,
  type Person,
  sendMessage,
  sessionUserId,
  test,
  uniqueName,
} from "./support.ts";

const connection = (person: Person) => person.page.getByRole("status", { name: "Connection" });

test("offline: reload, read, write, edit and delete (pending), close, reopen, reconnect; the other person gets each once, in order", async ({
  person,
}) => {
  const alice = await person("alice");
  const bob = await person("bob");
  const roomName = uniqueName("Field");
  const roomId = await createRoomViaApi(alice.context.request, roomName);
  await joinRoomViaApi(bob.context.request, roomId);
  const roomPath = `/r/${roomId}`;

  await openApp(bob.page, roomPath);
  await expectOnline(bob.page);
  await sendMessage(bob.page, "Before the tunnel");

  await installApp(alice, roomPath);
  await expectOnline(alice.page);
  await sendMessage(alice.page, "Meet at the station at 9");
  await sendMessage(alice.page, "Bring the old map");
  await expect(messageArticle(alice.page, "Bring the old map")).toContainText("✓");
  // Someone else's message carries no ✓ (receipts are for one's own): sequenced means not Pending.
  await expect(messageArticle(alice.page, "Before the tunnel")).toBeVisible();
  await expect(messageArticle(alice.page, "Before the tunnel")).not.toContainText("Pending");
  // The device store writes as changes arrive; give the background sync a moment to hold the room.
  await alice.page.waitForTimeout(2_500);

  // No network: the reload is served by the service worker and the room by IndexedDB.
  await alice.context.setOffline(true);
  await alice.page.reload();
  await expect(alice.page.getByRole("heading", { level: 1, name: roomName })).toBeVisible();
  await expect(messageArticle(alice.page, "Before the tunnel")).toBeVisible();
  await expect(connection(alice)).toContainText("Offline");

  await sendMessage(alice.page, "Written offline one");
  await sendMessage(alice.page, "Written offline two");
  for (const text of ["Written offline one", "Written offline two"])
    await expect(messageArticle(alice.page, text)).toContainText("Pending");
  await expect(connection(alice)).toContainText("2 pending");

  // An edit and a deletion made offline wait too, and are counted.
  const edited = messageArticle(alice.page, "Meet at the station at 9");
  await edited.hover();
  await edited.getByRole("button", { name: "Edit message" }).click();
  const editor = messageLog(alice.page).getByRole("textbox", { name: "Edit message" });
  await editor.fill("Meet at the station at 10");
  await editor.press("Enter");
  await expect(messageArticle(alice.page, "Meet at the station at 10")).toContainText("(edited)");
  await expect(connection(alice)).toContainText("3 pending");
  const removed = messageArticle(alice.page, "Bring the old map");
  await removed.hover();
  await removed.getByRole("button", { name: "Delete message" }).click();
  await removed.getByRole("button", { name: "Delete", exact: true }).click();
  await expect(messageArticle(alice.page, "Bring the old map")).toHaveCount(0);
  await expect(connection(alice)).toContainText("4 pending");

  // Close the page (the browser tab) and open the app again, still offline: both still pending.
  await alice.page.close();
  alice.page = await alice.context.newPage();
  await alice.page.goto(roomPath);
  await expect(messageArticle(alice.page, "Written offline two")).toContainText("Pending");
  await expect(messageArticle(alice.page, "Written offline one")).toContainText("Pending");
  await expect(connection(alice)).toContainText("Offline");
  await expect(connection(alice)).toContainText("4 pending");
  await expect(messageArticle(alice.page, "Meet at the station at 10")).toBeVisible();
  await expect(messageArticle(alice.page, "Bring the old map")).toHaveCount(0);
  await expect(bob.page.getByText("Written offline one")).toHaveCount(0);
  await expect(messageArticle(bob.page, "Bring the old map")).toBeVisible();

  // The network returns: both go out by themselves, once, in order.
  await alice.context.setOffline(false);
  await expectOnline(alice.page);
  await expect(messageArticle(alice.page, "Written offline two")).toContainText("✓", { timeout: 20_000 });
  await expect(connection(alice)).not.toContainText("pending");
  const bobLog = messageLog(bob.page).getByRole("article");
  await expect(bobLog.filter({ hasText: "Written offline two" })).toHaveCount(1, { timeout: 20_000 });
  await expect(bobLog.filter({ hasText: "Written offline one" })).toHaveCount(1);
  const texts = await bobLog.allInnerTexts();
  const first = texts.findIndex((t) => t.includes("Written offline one"));
  const second = texts.findIndex((t) => t.includes("Written offline two"));
  expect(first).toBeGreaterThan(texts.findIndex((t) => t.includes("Before the tunnel")));
  expect(second).toBeGreaterThan(first);
  // The offline edit and deletion reached Bob too.
  await expect(messageArticle(bob.page, "Meet at the station at 10")).toContainText("(edited)");
  await expect(messageArticle(bob.page, "Bring the old map")).toHaveCount(0);
  // And a fresh reload of Bob's page (from the server) still shows each exactly once.
  await bob.page.reload();
  await expect(bobLog.filter({ hasText: "Written offline two" })).toHaveCount(1);
  await expect(bobLog.filter({ hasText: "Written offline one" })).toHaveCount(1);
});

test("installable: the manifest has what an install needs and the service worker controls the page", async ({
  person,
}) => {
  const alice = await person("alice");
  await installApp(alice, "/");
  const href = await alice.page.locator('link[rel="manifest"]').getAttribute("href");
  expect(href).toBeTruthy();
  const response = await alice.page.request.get(href!);
  expect(response.ok()).toBe(true);
  const manifest = (await response.json()) as Record<string, unknown> & {
    icons: { src: string; sizes: string; purpose?: string; type: string }[];
  };
  expect(manifest.name).toBeTruthy();
  expect(manifest.short_name).toBe("Chat");
  expect(manifest.start_url).toBe("/");
  expect(manifest.display).toBe("standalone");
  expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
  for (const size of ["192x192", "512x512"])
    expect(manifest.icons.some((icon) => icon.sizes === size && icon.purpose !== "maskable")).toBe(true);
  expect(manifest.icons.some((icon) => icon.purpose?.includes("maskable"))).toBe(true);
  for (const icon of manifest.icons) {
    const image = await alice.page.request.get(icon.src);
    expect(image.headers()["content-type"]).toBe("image/png");
    expect((await image.body()).subarray(1, 4).toString()).toBe("PNG");
  }
  // A deep link opens with no network at all, from the service worker's cache.
  const roomId = await createRoomViaApi(alice.context.request, uniqueName("Deep"));
  await alice.context.setOffline(true);
  await alice.page.goto(`/r/${roomId}`);
  await expect(alice.page.getByRole("button", { name: "Sign out" })).toBeVisible();
  await expect(connection(alice)).toContainText("Offline");
  // The server's endpoints are never answered from the cache.
  const api = await alice.page.evaluate(() =>
    fetch("/api/session").then(
      (r) => `status ${r.status}`,
      () => "network error",
    ),
  );
  expect(api).toBe("network error");
});

test("a new deployment offers “Update available — reload”, and Reload switches to it", async ({ person }) => {
  const alice = await person("alice");
  await installApp(alice, "/");
  // Deploy a new version: the service worker script changes on the server.
  const worker = fileURLToPath(new URL("../../apps/web/dist/sw.js", import.meta.url));
  const original = readFileSync(worker, "utf8");
  try {
    writeFileSync(worker, `${original}\n// deployed again\n`);
    await alice.page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())");
    const prompt = alice.page.getByRole("alert").filter({ hasText: "Update available" });
    await expect(prompt).toBeVisible({ timeout: 20_000 });
    await prompt.getByRole("button", { name: "Reload" }).click();
    await expect(prompt).toBeHidden({ timeout: 20_000 });
    await expect(alice.page.getByRole("button", { name: "Sign out" })).toBeVisible();
    await expect
      .poll(() =>
        alice.page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.waiting === null)"),
      )
      .toBe(true);
  } finally {
    writeFileSync(worker, original);
  }
});

test("an app older than the server's schema is told to reload and does not send", async ({ person }) => {
  const alice = await person("alice");
  const roomId = await createRoomViaApi(alice.context.request, uniqueName("Schema"));
  // The server answers with a newer schema than this build knows.
  await alice.page.route("**/api/session", async (route) => {
    const response = await route.fetch();
    const body = (await response.json()) as Record<string, unknown>;
    await route.fulfill({ response, json: { ...body, schemaVersion: 999 } });
  });
  await openApp(alice.page, `/r/${roomId}`);
  await expect(alice.page.getByRole("alert").filter({ hasText: "out of date" })).toBeVisible();
  await messageBox(alice.page).fill("Should not be written");
  await messageBox(alice.page).press("Enter");
  await expect(alice.page.getByRole("alert").filter({ hasText: "Reload to send" })).toBeVisible();
  await expect(messageBox(alice.page)).toHaveValue("Should not be written");
  await expect(messageLog(alice.page).getByRole("article")).toHaveCount(0);
});

test("signing out removes the person's data from the device", async ({ person }) => {
  const alice = await person("alice");
  const userId = await sessionUserId(alice.page);
  const roomId = await createRoomViaApi(alice.context.request, uniqueName("Private-notes"));
  await openApp(alice.page, `/r/${roomId}`);
  await expectOnline(alice.page);
  await sendMessage(alice.page, "Something only for this device's owner");
  await expect(messageArticle(alice.page, "Something only for this device's owner")).toContainText("✓");
  const stored = () =>
    alice.page.evaluate(
      `indexedDB.databases().then((all) => all.some((d) => d.name === "chat-device:${userId}"))`,
    );
  const cached = () =>
    alice.page.evaluate(`Object.keys(localStorage).filter((key) => key.includes("${userId}")).length`);
  await expect.poll(stored).toBe(true);
  await expect.poll(cached, { timeout: 15_000 }).toBeGreaterThan(0);

  await alice.page.getByRole("button", { name: "Sign out" }).click();
  await expect(alice.page.getByRole("button", { name: "Sign in" })).toBeVisible();
  await expect.poll(stored).toBe(false);
  expect(await cached()).toBe(0);
});

test("signing out with messages still waiting asks first, and keeps them when the person stays", async ({
  person,
}) => {
  const alice = await person("alice");
  const roomId = await createRoomViaApi(alice.context.request, uniqueName("Waiting"));
  await installApp(alice, `/r/${roomId}`);
  await expectOnline(alice.page);
  await alice.context.setOffline(true);
  await sendMessage(alice.page, "Not sent yet");
  await expect(connection(alice)).toContainText("1 pending");

  const signOut = alice.page.getByRole("button", { name: "Sign out" });
  await signOut.click();
  const ask = alice.page.getByRole("dialog", { name: "Sign out?" });
  await expect(ask).toContainText("1 change has not reached the server yet");
  await ask.getByRole("button", { name: "Stay signed in" }).click();
  await expect(ask).toBeHidden();
  await expect(messageArticle(alice.page, "Not sent yet")).toContainText("Pending");

  await signOut.click();
  await alice.page
    .getByRole("dialog", { name: "Sign out?" })
    .getByRole("button", { name: "Sign out and discard" })
    .click();
  await expect(alice.page.getByRole("button", { name: "Sign in" })).toBeVisible();
});
