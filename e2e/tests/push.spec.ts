import AxeBuilder from "@axe-core/playwright";
import type { CDPSession, Worker } from "@playwright/test";
import { LocalPushService } from "../../apps/sync/test/localPushService.ts";
import {
  createRoomViaApi,
  dmLink,
  expect,
  expectOnline,
  installApp,
  joinRoomViaApi,
  openApp,
  type Person,
  sendMessage,
  test,
  uniqueName,
} from "./support.ts";

/**
 * Web Push in the browser. Headless Chromium has no push service to subscribe with (its
 * `pushManager.subscribe` is refused), so the server's side is tested against a push service of the
 * tests' own (apps/sync/test/push.test.ts); here the service worker gets a real push event, delivered
 * by Chromium itself (DevTools protocol `ServiceWorker.deliverPushMessage`).
 */

/** The app's service worker, and a way to hand it a push as the browser's push service would. */
async function serviceWorkerOf(
  person: Person,
): Promise<{ worker: Worker; push(data: unknown): Promise<void> }> {
  const cdp: CDPSession = await person.context.newCDPSession(person.page);
  const origin = new URL(person.page.url()).origin;
  const registrations: Array<{ registrationId: string; scopeURL: string; isDeleted: boolean }> = [];
  cdp.on("ServiceWorker.workerRegistrationUpdated", (event) => registrations.push(...event.registrations));
  await cdp.send("ServiceWorker.enable");
  await expect.poll(() => registrations.some((r) => r.scopeURL === `${origin}/` && !r.isDeleted)).toBe(true);
  const { registrationId } = registrations.find((r) => r.scopeURL === `${origin}/` && !r.isDeleted)!;
  await expect.poll(() => person.context.serviceWorkers().length).toBeGreaterThan(0);
  const worker = person.context.serviceWorkers()[0]!;
  return {
    worker,
    push: async (data) => {
      await cdp.send("ServiceWorker.deliverPushMessage", {
        origin,
        registrationId,
        data: JSON.stringify(data),
      });
    },
  };
}

interface Shown {
  title: string;
  body: string;
  tag: string;
  url: string;
}

/** The notifications the service worker shows (strings: this file has no DOM or worker types). */
const shownBy = (worker: Worker) =>
  worker.evaluate(`self.registration.getNotifications().then((list) =>
    list.map((n) => ({ title: n.title, body: n.body, tag: n.tag, url: n.data && n.data.url })))`) as Promise<
    Shown[]
  >;

test("a push shows a notification with the room and a preview, one per room; clicking it opens the conversation", async ({
  person,
}) => {
  const alice = await person("alice");
  const bob = await person("bob");
  const room = uniqueName("Launch");
  const roomId = await createRoomViaApi(alice.context.request, room);
  await joinRoomViaApi(bob.context.request, roomId);
  await bob.context.grantPermissions(["notifications"]);
  await installApp(bob, "/");
  const sw = await serviceWorkerOf(bob);

  // What the server sends (apps/sync/src/push/pushPayload.ts), as the push service delivers it.
  const payload = (body: string, messageId: string) => ({
    title: `#${room}`,
    body: `${alice.username}: ${body}`,
    url: `/r/${roomId}`,
    tag: `room-${roomId}`,
    roomId,
    messageId,
  });
  await sw.push(payload("is the build green?", "m1"));
  await expect
    .poll(() => shownBy(sw.worker))
    .toEqual([
      {
        title: `#${room}`,
        body: `${alice.username}: is the build green?`,
        tag: `room-${roomId}`,
        url: `/r/${roomId}`,
      },
    ]);
  // A newer message in the same room replaces the notification rather than piling up.
  await sw.push(payload("ping?", "m2"));
  await expect
    .poll(async () => (await shownBy(sw.worker)).map((n) => n.body))
    .toEqual([`${alice.username}: ping?`]);

  // The person clicks it (the event the browser dispatches on a click): the open app goes to the room,
  // in place (no reload: a half-typed message elsewhere would survive).
  await bob.page.evaluate("window.beforeClick = true");
  await sw.worker.evaluate(`self.registration.getNotifications().then(([notification]) => {
    self.dispatchEvent(new NotificationEvent("notificationclick", { notification }));
  })`);
  await expect(bob.page.getByRole("heading", { level: 1, name: room })).toBeVisible();
  expect(new URL(bob.page.url()).pathname).toBe(`/r/${roomId}`);
  expect(await bob.page.evaluate("window.beforeClick")).toBe(true);
  await expect.poll(() => shownBy(sw.worker)).toEqual([]);
});

test("a push never sends the app off its own origin: a foreign url opens the app's start page", async ({
  person,
}) => {
  const bob = await person("bob");
  await bob.context.grantPermissions(["notifications"]);
  await installApp(bob, "/");
  const sw = await serviceWorkerOf(bob);
  await sw.push({ title: "x", body: "y", url: "https://evil.example/phish", tag: "t" });
  await expect.poll(async () => (await shownBy(sw.worker)).map((n) => n.url)).toEqual(["/"]);
});

test('Settings → Notifications has the switch "Push notifications on this device"; refused permission is said, and it stays off', async ({
  person,
}) => {
  const bob = await person("bob");
  await installApp(bob, "/");
  await bob.page.getByRole("button", { name: "Settings" }).click();
  const settings = bob.page.getByRole("dialog", { name: "Settings" });
  const push = settings.getByRole("switch", { name: "Push notifications on this device" });
  await expect(push).toHaveAttribute("aria-checked", "false");
  // Nothing serious for a screen reader or keyboard in the section (WCAG A/AA), in either theme.
  for (const scheme of ["light", "dark"] as const) {
    await bob.page.emulateMedia({ colorScheme: scheme });
    const results = await new AxeBuilder({ page: bob.page })
      .include(".push-switch-field")
      .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
      .analyze();
    expect(
      results.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id),
    ).toEqual([]);
  }
  await push.focus();
  await bob.page.keyboard.press("Enter");
  await expect(settings.getByRole("alert")).toHaveText(
    "Notifications are blocked for this site. Allow them in the browser's site settings.",
  );
  await expect(push).toHaveAttribute("aria-checked", "false");
});

test("the server pushes a DM to someone whose app is open but not in view, and nothing while it is in view", async ({
  person,
}) => {
  const pushService = new LocalPushService();
  await pushService.start();
  try {
    const alice = await person("alice");
    const bob = await person("bob");
    // Headless Chromium cannot subscribe (no push service): bob's phone, subscribed through the API.
    const phone = pushService.subscribe();
    const registered = await bob.context.request.post("/api/push/subscriptions", {
      data: phone.subscription,
    });
    expect(registered.status()).toBe(201);
    // Lets the test hide and show bob's page (headless Chromium keeps every page visible).
    await bob.page.addInitScript(`
      let visibility = "visible";
      Object.defineProperty(document, "visibilityState", { configurable: true, get: () => visibility });
      Object.defineProperty(document, "hidden", { configurable: true, get: () => visibility === "hidden" });
      window.setVisibility = (next) => {
        visibility = next;
        document.dispatchEvent(new Event("visibilitychange"));
      };
    `);
    await openApp(bob.page, "/");
    await expectOnline(bob.page);
    await openApp(alice.page, `/dm/${bob.username}`);

    // Bob has the app in front of him: the message reaches his screen, and no push his phone.
    await sendMessage(alice.page, "lunch?");
    await expect(dmLink(bob.page, alice.username)).toHaveAccessibleName(/1 unread/);
    // Bob switches away; the next message is pushed.
    await bob.page.evaluate(`window.setVisibility("hidden")`);
    await sendMessage(alice.page, "in ten minutes");
    await expect
      .poll(() => pushService.to(phone.device).map((p) => p.payload))
      .toEqual([
        expect.objectContaining({
          title: alice.username,
          body: "in ten minutes",
          url: `/dm/${alice.username}`,
        }),
      ]);
  } finally {
    await pushService.close();
  }
});
