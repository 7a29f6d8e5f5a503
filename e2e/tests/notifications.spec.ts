import type { Page } from "@playwright/test";
import {
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
 * Makes the page record each notification it creates (the real Notification is still called), and
 * returns a reader of that record.
 */
async function recordNotifications(page: Page): Promise<() => Promise<unknown[]>> {
  // A string, run in the page (this file is compiled without the DOM types).
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

/**
 * Desktop notifications, once turned on with the button. Headless Chromium shows none on screen, so
 * the page records each one it creates (the real Notification is still called).
 */
test("after 'Turn on notifications', a message in an 'All messages' room not in view notifies, one in view does not", async ({
  person,
}) => {
  const alice = await person("alice");
  const bob = await person("bob");
  await bob.context.grantPermissions(["notifications"]);
  const shown = await recordNotifications(bob.page);

  const busy = uniqueName("Busy");
  const here = uniqueName("Here");
  const busyId = await createRoomViaApi(alice.context.request, busy);
  const hereId = await createRoomViaApi(alice.context.request, here);
  await joinRoomViaApi(bob.context.request, hereId);
  await joinRoomViaApi(bob.context.request, busyId);
  await openApp(bob.page, `/r/${busyId}`);
  await expect(bob.page.getByRole("heading", { level: 1, name: busy })).toBeVisible();
  // Rooms notify for mentions only unless their person chooses more (levels.spec.ts).
  await bob.page.getByRole("button", { name: "Notifications", exact: true }).click();
  const levels = bob.page.getByRole("dialog", { name: "Notifications" });
  await levels.getByRole("radio", { name: "All messages" }).check();
  await levels.getByRole("button", { name: "Close" }).click();
  await roomLink(bob.page, here).click();
  await expect(bob.page.getByRole("heading", { level: 1, name: here })).toBeVisible();

  // Nothing before the person asks for it.
  await openApp(alice.page, `/r/${busyId}`);
  await sendMessage(alice.page, "before notifications were on");
  await expect(roomLink(bob.page, busy)).toHaveAccessibleName(/1 unread/);
  expect(await shown()).toEqual([]);

  await bob.page.getByRole("button", { name: "Turn on notifications" }).click();
  await expect(bob.page.getByRole("button", { name: "Turn off notifications" })).toBeVisible();
  await sendMessage(alice.page, "the build is red");
  await expect.poll(shown).toEqual([{ title: `#${busy}`, body: "1 new message" }]);

  // A message in the room Bob is looking at does not notify.
  await alice.page.goto(`/r/${hereId}`);
  await sendMessage(alice.page, "right here");
  await expect(bob.page.getByRole("article").filter({ hasText: "right here" })).toBeVisible();
  await sendMessage(alice.page, "and again");
  await expect(bob.page.getByRole("article").filter({ hasText: "and again" })).toBeVisible();
  expect(await shown()).toHaveLength(1);

  // The choice survives a reload (kept on this device).
  await bob.page.reload();
  await expect(bob.page.getByRole("button", { name: "Turn off notifications" })).toBeVisible();
});

test("a mention while the window is hidden notifies, even in the room left in view, and only once", async ({
  person,
}) => {
  const alice = await person("alice");
  const bob = await person("bob");
  await bob.context.grantPermissions(["notifications"]);
  const shown = await recordNotifications(bob.page);
  // Lets the test hide and show the page: headless Chromium keeps every page visible, so
  // `visibilityState` answers what the test says.
  await bob.page.addInitScript(`
    let visibility = "visible";
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => visibility });
    Object.defineProperty(document, "hidden", { configurable: true, get: () => visibility === "hidden" });
    window.setVisibility = (next) => {
      visibility = next;
      document.dispatchEvent(new Event("visibilitychange"));
    };
  `);
  const setVisibility = (state: "visible" | "hidden") =>
    bob.page.evaluate(`window.setVisibility("${state}")`);

  const room = uniqueName("Ops");
  const roomId = await createRoomViaApi(alice.context.request, room);
  await joinRoomViaApi(bob.context.request, roomId);
  await openApp(bob.page, `/r/${roomId}`);
  await expect(bob.page.getByRole("heading", { level: 1, name: room })).toBeVisible();
  await bob.page.getByRole("button", { name: "Turn on notifications" }).click();
  await expect(bob.page.getByRole("button", { name: "Turn off notifications" })).toBeVisible();
  await openApp(alice.page, `/r/${roomId}`);

  // Bob switches to another window with this room still open in the tab.
  await setVisibility("hidden");
  await sendMessage(alice.page, `@${bob.username} the deploy is waiting for you`);
  await expect.poll(shown).toEqual([
    {
      title: `${alice.username} mentioned you in #${room}`,
      body: expect.stringContaining("the deploy is waiting for you"),
    },
  ]);
  // Nobody looked: the room stays unread meanwhile (its nav count says so)…
  await expect(roomLink(bob.page, room)).toHaveAccessibleName(/1 unread, 1 mention/);

  // …until Bob comes back to it; the mention is not shown a second time.
  await setVisibility("visible");
  await expect(roomLink(bob.page, room)).not.toHaveAccessibleName(/unread/);
  expect(await shown()).toHaveLength(1);
});
