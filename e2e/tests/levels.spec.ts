import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import {
  anotherDevice,
  createRoomViaApi,
  expect,
  joinRoomViaApi,
  openApp,
  roomLink,
  sendMessage,
  test,
  uniqueName,
} from "./support.ts";

/**
 * Notification levels, do not disturb and the in-app notice (issue 21). Each room's level ("All
 * messages", "Mentions only", "Nothing") and the do-not-disturb schedule live in the person's own
 * index document, so they follow them to every device; a muted room shows no unread count in the nav
 * (mentions still count), and a message the level lets through shows an in-app notice in a room not
 * in view, desktop notifications on or not.
 */

/** Chooses the open room's level in its menu: "Notifications" → radio group "Notify me". */
async function chooseLevel(page: Page, level: "All messages" | "Mentions only" | "Nothing"): Promise<void> {
  await page.getByRole("button", { name: "Notifications", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Notifications" });
  const radio = dialog.getByRole("radiogroup", { name: "Notify me" }).getByRole("radio", { name: level });
  await radio.check();
  await expect(radio).toBeChecked();
  await dialog.getByRole("button", { name: "Close" }).click();
  await expect(dialog).toBeHidden();
}

/** The in-app notice that names `text` (the notice is a `role=status` region). */
const notice = (page: Page, text: string) => page.getByRole("status").filter({ hasText: text });

/**
 * Records every text any `role=status` region of the page has held, so a test can tell that a notice
 * never appeared (rather than that it went away before being looked for).
 */
async function recordStatusTexts(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(`
    const seen = (window.statusTexts = []);
    new MutationObserver(() => {
      for (const element of document.querySelectorAll('[role="status"]')) {
        const text = element.textContent || "";
        if (text && !seen.includes(text)) seen.push(text);
      }
    }).observe(document, { subtree: true, childList: true, characterData: true });
  `);
  return () => page.evaluate("window.statusTexts") as Promise<string[]>;
}

/** axe's serious and critical WCAG A/AA findings inside `selector`. */
async function seriousFindings(page: Page, selector: string): Promise<string[]> {
  const results = await new AxeBuilder({ page })
    .include(selector)
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  return results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${violation.id}: ${violation.help}`);
}

/** Makes the page record each desktop notification it creates (the real one is still called). */
async function recordNotifications(page: Page): Promise<() => Promise<unknown[]>> {
  await page.addInitScript(`
    const Real = window.Notification;
    const shown = (window.shownNotifications = []);
    window.Notification = class extends Real {
      constructor(title, options) {
        super(title, options);
        shown.push({ title, body: (options && options.body) || "" });
      }
    };
  `);
  return () => page.evaluate("window.shownNotifications") as Promise<unknown[]>;
}

test("a muted room leaves the nav unlit and out of the tab title; a mention there still counts", async ({
  person,
}) => {
  const alice = await person("alice");
  const bob = await person("bob");
  const muted = uniqueName("Chatter");
  const other = uniqueName("Work");
  const lobby = uniqueName("Lobby");
  const mutedId = await createRoomViaApi(alice.context.request, muted);
  const otherId = await createRoomViaApi(alice.context.request, other);
  const lobbyId = await createRoomViaApi(alice.context.request, lobby);
  for (const id of [mutedId, otherId, lobbyId]) await joinRoomViaApi(bob.context.request, id);

  await openApp(bob.page, `/r/${mutedId}`);
  await expect(bob.page.getByRole("heading", { level: 1, name: muted })).toBeVisible();
  await chooseLevel(bob.page, "Nothing");
  await expect(roomLink(bob.page, muted)).toHaveAccessibleName(/, muted/);
  const opacity = await roomLink(bob.page, muted).evaluate((link) => Number(getComputedStyle(link).opacity));
  expect(opacity, "the muted room is dimmed").toBeLessThan(1);
  await roomLink(bob.page, lobby).click();
  await expect(bob.page.getByRole("heading", { level: 1, name: lobby })).toBeVisible();

  await openApp(alice.page, `/r/${mutedId}`);
  await sendMessage(alice.page, "lunch plans, anyone?");
  await sendMessage(alice.page, `@${bob.username} can you look at the release notes`);
  // The mention counts in the muted room; its two unread messages do not light it up.
  await expect(roomLink(bob.page, muted)).toHaveAccessibleName(/1 mention/);
  await expect(roomLink(bob.page, muted)).not.toHaveAccessibleName(/unread/);
  // "Mentions only" (the default) still shows a room's unread count.
  await alice.page.goto(`/r/${otherId}`);
  await sendMessage(alice.page, "standup in five");
  await expect(roomLink(bob.page, other)).toHaveAccessibleName(/1 unread/);
  // The tab title: the other room's message and the muted room's mention, not its two unread.
  await expect(bob.page).toHaveTitle(/^\(2\) /);

  // Back to "Mentions only": the room lights up again.
  await roomLink(bob.page, muted).click();
  await expect(bob.page.getByRole("heading", { level: 1, name: muted })).toBeVisible();
  await chooseLevel(bob.page, "Mentions only");
  await expect(roomLink(bob.page, muted)).not.toHaveAccessibleName(/muted/);
  await roomLink(bob.page, lobby).click();
  await expect(bob.page.getByRole("heading", { level: 1, name: lobby })).toBeVisible();
  await alice.page.goto(`/r/${mutedId}`);
  await sendMessage(alice.page, "one more about lunch");
  await expect(roomLink(bob.page, muted)).toHaveAccessibleName(/1 unread/);
});

test("'All messages' shows an in-app notice for a room not in view, desktop notifications off; 'Mentions only' does not", async ({
  person,
}) => {
  const alice = await person("alice");
  const bob = await person("bob");
  const statusTexts = await recordStatusTexts(bob.page);
  const busy = uniqueName("Builds");
  const quiet = uniqueName("Random");
  const here = uniqueName("Desk");
  const busyId = await createRoomViaApi(alice.context.request, busy);
  const quietId = await createRoomViaApi(alice.context.request, quiet);
  const hereId = await createRoomViaApi(alice.context.request, here);
  for (const id of [busyId, quietId, hereId]) await joinRoomViaApi(bob.context.request, id);

  await openApp(bob.page, `/r/${busyId}`);
  await chooseLevel(bob.page, "All messages");
  await roomLink(bob.page, here).click();
  await expect(bob.page.getByRole("heading", { level: 1, name: here })).toBeVisible();
  await expect(bob.page.getByRole("button", { name: "Turn on notifications" })).toBeVisible();

  // "Mentions only" (the default): a plain message counts in the nav, and calls nobody.
  await openApp(alice.page, `/r/${quietId}`);
  await sendMessage(alice.page, "anyone seen my umbrella");
  await expect(roomLink(bob.page, quiet)).toHaveAccessibleName(/1 unread/);

  await alice.page.goto(`/r/${busyId}`);
  await sendMessage(alice.page, "the build is red");
  const shown = notice(bob.page, `#${busy}`);
  await expect(shown).toContainText("the build is red");
  await expect(shown).not.toContainText("other conversation");
  expect(await seriousFindings(bob.page, ".notice-region"), "the notice").toEqual([]);
  expect((await statusTexts()).filter((text) => text.includes("umbrella") || text.includes(quiet))).toEqual(
    [],
  );

  // Clicking it opens the room.
  await shown.getByRole("link").click();
  await expect(bob.page.getByRole("heading", { level: 1, name: busy })).toBeVisible();
  await expect(notice(bob.page, "the build is red")).toHaveCount(0);

  // Escape dismisses one.
  await roomLink(bob.page, here).click();
  await expect(bob.page.getByRole("heading", { level: 1, name: here })).toBeVisible();
  await sendMessage(alice.page, "green again");
  await expect(notice(bob.page, "green again")).toBeVisible();
  await bob.page.keyboard.press("Escape");
  await expect(notice(bob.page, "green again")).toHaveCount(0);
});

test("a level set on one device reaches the person's other device", async ({ person }) => {
  const alice = await person("alice");
  const bob = await person("bob");
  const room = uniqueName("Sync");
  const roomId = await createRoomViaApi(alice.context.request, room);
  await joinRoomViaApi(bob.context.request, roomId);
  const phone = await anotherDevice(person, bob);

  await openApp(bob.page, `/r/${roomId}`);
  await openApp(phone.page, `/r/${roomId}`);
  await expect(roomLink(phone.page, room)).not.toHaveAccessibleName(/muted/);
  await chooseLevel(bob.page, "Nothing");
  await expect(roomLink(phone.page, room)).toHaveAccessibleName(/, muted/);
  // Kept on the phone too: a reload draws the room muted from the device.
  await phone.page.reload();
  await expect(roomLink(phone.page, room)).toHaveAccessibleName(/, muted/);
  await phone.page.getByRole("button", { name: "Notifications", exact: true }).click();
  await expect(
    phone.page
      .getByRole("dialog", { name: "Notifications" })
      .getByRole("radiogroup", { name: "Notify me" })
      .getByRole("radio", { name: "Nothing" }),
  ).toBeChecked();
  expect(await seriousFindings(phone.page, "dialog[open]"), "the Notifications dialog").toEqual([]);
});

test("do not disturb keeps the in-app notice and the desktop notification quiet until resumed", async ({
  person,
}) => {
  const alice = await person("alice");
  const bob = await person("bob");
  await bob.context.grantPermissions(["notifications"]);
  const desktop = await recordNotifications(bob.page);
  const statusTexts = await recordStatusTexts(bob.page);
  const busy = uniqueName("Alerts");
  const here = uniqueName("Focus");
  const busyId = await createRoomViaApi(alice.context.request, busy);
  const hereId = await createRoomViaApi(alice.context.request, here);
  await joinRoomViaApi(bob.context.request, busyId);
  await joinRoomViaApi(bob.context.request, hereId);

  await openApp(bob.page, `/r/${busyId}`);
  await chooseLevel(bob.page, "All messages");
  await roomLink(bob.page, here).click();
  await expect(bob.page.getByRole("heading", { level: 1, name: here })).toBeVisible();
  await bob.page.getByRole("button", { name: "Turn on notifications" }).click();
  await expect(bob.page.getByRole("button", { name: "Turn off notifications" })).toBeVisible();

  await bob.page.getByRole("button", { name: "Settings" }).click();
  const settings = bob.page.getByRole("dialog", { name: "Settings" });
  const dnd = settings.getByRole("group", { name: "Do not disturb" });
  await dnd.getByRole("button", { name: "Pause for 1 hour" }).click();
  await expect(dnd.getByRole("status")).toContainText("Paused until");
  await settings.getByRole("button", { name: "Close" }).last().click();
  await expect(settings).toBeHidden();

  await openApp(alice.page, `/r/${busyId}`);
  await sendMessage(alice.page, "paging during the pause");
  // The nav still counts it.
  await expect(roomLink(bob.page, busy)).toHaveAccessibleName(/1 unread/);

  await bob.page.getByRole("button", { name: "Settings" }).click();
  await dnd.getByRole("button", { name: "Resume notifications" }).click();
  await expect(dnd.getByRole("status")).toHaveText("Notifications are on.");
  await settings.getByRole("button", { name: "Close" }).last().click();

  await sendMessage(alice.page, "paging after the pause");
  await expect(notice(bob.page, "paging after the pause")).toBeVisible();
  await expect.poll(desktop).toEqual([{ title: `#${busy}`, body: "1 new message" }]);
  expect((await statusTexts()).filter((text) => text.includes("during the pause"))).toEqual([]);
});
