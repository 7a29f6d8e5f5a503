import type { Locator, Page } from "@playwright/test";
import {
  createRoomViaApi,
  expect,
  messageArticle,
  messageLog,
  openApp,
  sendMessage,
  test,
  uniqueName,
} from "./support.ts";

/**
 * Styles that depended on the order the stylesheets reached the page: a component's rule and a base
 * rule of equal specificity, the base one (loaded last) winning. These check what a person sees.
 */

/** How many lines the text of `element` takes on screen. */
const linesOf = (element: Locator) =>
  element.evaluate((el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    const tops = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
    return tops.size;
  });

/**
 * WCAG contrast ratio of `element`'s text against what is behind it: its own background and its
 * ancestors' (translucent ones blended over what is under them).
 */
const contrastOf = (element: Locator) =>
  element.evaluate((el) => {
    type RGBA = [number, number, number, number];
    const parse = (value: string): RGBA => {
      const parts = value.match(/[\d.]+/g)!.map(Number);
      return [parts[0]!, parts[1]!, parts[2]!, parts[3] ?? 1];
    };
    const over = (top: RGBA, under: RGBA): RGBA => {
      const a = top[3] + under[3] * (1 - top[3]);
      const mix = (i: number) => (top[i]! * top[3] + under[i]! * under[3] * (1 - top[3])) / (a || 1);
      return [mix(0), mix(1), mix(2), a];
    };
    const layers: RGBA[] = [];
    for (let node: Element | null = el; node; node = node.parentElement)
      layers.push(parse(getComputedStyle(node).backgroundColor));
    let background: RGBA = [255, 255, 255, 1];
    for (const layer of layers.reverse()) background = over(layer, background);
    const text = over(parse(getComputedStyle(el).color), background);
    const luminance = ([r, g, b]: RGBA) => {
      const channel = (c: number) => {
        const s = c / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    const [light, dark] = [luminance(text), luminance(background)].sort((a, b) => b - a);
    return (light! + 0.05) / (dark! + 0.05);
  });

async function checkScreen(page: Page, line: string) {
  // A system line reads as one line, not one word per line in the avatar column.
  const event = messageLog(page).getByRole("article").filter({ hasText: line });
  await expect(event).toBeVisible();
  expect(await linesOf(event.locator(".event-text"))).toBe(1);

  // The sidebar's buttons keep readable text when hovered (WCAG AA: 4.5:1).
  for (const name of ["Mentions", "Turn on notifications"]) {
    const button = page.getByRole("button", { name, exact: true });
    if ((await button.count()) === 0) continue;
    await button.hover();
    expect(await contrastOf(button), `${name} hovered`).toBeGreaterThanOrEqual(4.5);
  }
}

test("system lines read on one line and the sidebar's buttons stay readable when hovered, desktop and phone", async ({
  person,
}) => {
  const alice = await person("alice");
  const bob = await person("bob");
  const name = uniqueName("Layout");
  const roomId = await createRoomViaApi(alice.context.request, name);
  const added = await alice.context.request.post(`/api/rooms/${roomId}/members`, {
    data: { username: bob.username },
  });
  expect(added.status()).toBe(201);
  const line = `${alice.username} added ${bob.username}`;

  await openApp(alice.page, `/r/${roomId}`);
  await checkScreen(alice.page, line);

  // On a phone the sidebar is a drawer: open it to reach its buttons.
  await alice.page.setViewportSize({ width: 390, height: 844 });
  const event = messageLog(alice.page).getByRole("article").filter({ hasText: line });
  await expect(event).toBeVisible();
  expect(await linesOf(event.locator(".event-text"))).toBe(1);
  await alice.page.getByRole("button", { name: "Toggle navigation" }).click();
  const mentions = alice.page.getByRole("button", { name: "Mentions", exact: true });
  await mentions.hover();
  expect(await contrastOf(mentions), "Mentions hovered on a phone").toBeGreaterThanOrEqual(4.5);
});

test("a message grouped under the one before shows its time in the gutter on hover and focus", async ({
  person,
}) => {
  const alice = await person("alice");
  const roomId = await createRoomViaApi(alice.context.request, uniqueName("Gutter"));
  await openApp(alice.page, `/r/${roomId}`);
  await sendMessage(alice.page, "First of two");
  await sendMessage(alice.page, "Second, grouped");
  const second = messageArticle(alice.page, "Second, grouped");
  const gutter = second.locator(".gutter-time");
  await expect(gutter).toBeHidden();
  await second.hover();
  await expect(gutter).toBeVisible();
  await expect(gutter).toHaveText(/\d{1,2}:\d{2}/);
  // The first of the group shows its author and time as always, nothing in the gutter.
  await expect(messageArticle(alice.page, "First of two").locator(".gutter-time")).toHaveCount(0);
  await alice.page.mouse.move(0, 0);
  await expect(gutter).toBeHidden();
  // Keyboard: while the focus is inside the message (its actions), it stays shown without a pointer.
  await second.hover();
  await second.getByRole("button", { name: "Add reaction" }).focus();
  await alice.page.mouse.move(0, 0);
  await expect(gutter).toBeVisible();
});

test("the header keeps its place while the connection goes offline and comes back", async ({ person }) => {
  const alice = await person("alice");
  const roomId = await createRoomViaApi(alice.context.request, uniqueName("Steady"));
  await openApp(alice.page, `/r/${roomId}`);
  const search = alice.page.getByRole("searchbox", { name: "Search messages" });
  const status = alice.page.getByRole("status", { name: "Connection" });
  await expect(status).toContainText("Online");
  const place = async () => {
    const box = (await search.boundingBox())!;
    return { x: Math.round(box.x), width: Math.round(box.width) };
  };
  const online = await place();
  await alice.context.setOffline(true);
  await expect(status).toContainText(/Offline|Connecting/);
  // A message waiting adds "1 pending" to the status; the field stays where it was.
  await sendMessage(alice.page, "Written offline");
  await expect(status).toContainText("pending");
  expect(await place()).toEqual(online);
  await alice.context.setOffline(false);
  await expect(status).toContainText("Online");
  expect(await place()).toEqual(online);
});
