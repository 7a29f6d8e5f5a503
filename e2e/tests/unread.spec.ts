import type { Locator, Page } from "@playwright/test";
import {
  anotherDevice,
  createRoomViaApi,
  expect,
  expectOnline,
  joinRoomViaApi,
  messageArticle,
  messageBox,
  messageLog,
  openApp,
  roomLink,
  test,
  uniqueName,
} from "./support.ts";

/**
 * Issue 20, "Jump to unread": a room with unread messages opens at the first of them, under "New
 * messages", and is read as the person scrolls down through it; "Jump to first unread" brings the
 * separator back; "Mark unread" on a message brings the count back on every device of theirs;
 * Escape marks the room read (issue 22).
 */

const UNREAD = 30;
// Two lines or so each, so that thirty of them never fit in one screen of the log.
const text = (n: number) =>
  `Unread number ${n}: the nightly import finished with warnings again, see the report for the ` +
  `details of each table and the rows that were skipped`;

/** Top of `inner` measured from the top of the log's visible area (px; negative: scrolled above). */
async function offsetInLog(log: Locator, inner: Locator): Promise<number> {
  const [logBox, innerBox] = [await log.boundingBox(), await inner.boundingBox()];
  return innerBox!.y - logBox!.y;
}

async function scrollLogToBottom(page: Page): Promise<void> {
  await messageLog(page).evaluate((el) => {
    el.scrollTop = el.scrollHeight;
  });
}

test("a room opens at its first unread message, jumps back to it, and Mark unread brings the count back on every device", async ({
  person,
}) => {
  test.setTimeout(120_000);
  const alice = await person("alice");
  const bob = await person("bob");
  const name = uniqueName("Import");
  const roomId = await createRoomViaApi(alice.context.request, name);
  await joinRoomViaApi(bob.context.request, roomId);
  const elsewhere = uniqueName("Elsewhere");
  await createRoomViaApi(bob.context.request, elsewhere);

  // Bob is in the room (everything in it read), then works in another one.
  await openApp(bob.page, `/r/${roomId}`);
  await expect(bob.page.getByRole("heading", { level: 1, name })).toBeVisible();
  await roomLink(bob.page, elsewhere).click();
  await expect(bob.page.getByRole("heading", { level: 1, name: elsewhere })).toBeVisible();
  // Bob's second device, on the app's home.
  const laptop = await anotherDevice(person, bob);
  await openApp(laptop.page);

  await openApp(alice.page, `/r/${roomId}`);
  await expectOnline(alice.page);
  for (let n = 1; n <= UNREAD; n++) {
    await messageBox(alice.page).fill(text(n));
    await messageBox(alice.page).press("Enter");
  }
  await expect(messageArticle(alice.page, `Unread number ${UNREAD}:`)).toContainText("✓", {
    timeout: 30_000,
  });
  await expect(roomLink(bob.page, name)).toHaveAccessibleName(new RegExp(`${UNREAD} unread`));
  await expect(roomLink(laptop.page, name)).toHaveAccessibleName(new RegExp(`${UNREAD} unread`));

  // Opening the room: "New messages" at the top of the log, the first unread message just under it,
  // the newest out of view below.
  await roomLink(bob.page, name).click();
  const log = messageLog(bob.page);
  const separator = log.getByRole("separator", { name: "New messages" });
  const first = messageArticle(bob.page, "Unread number 1:");
  await expect(separator).toBeInViewport();
  await expect(first).toBeInViewport();
  await expect.poll(() => offsetInLog(log, separator)).toBeGreaterThanOrEqual(-1);
  await expect.poll(() => offsetInLog(log, separator)).toBeLessThan(40);
  await expect(messageArticle(bob.page, `Unread number ${UNREAD}:`)).not.toBeInViewport();
  const jump = bob.page.getByRole("button", { name: "Jump to first unread" });
  await expect(jump).toBeHidden();
  // Not read at once on opening: the count stays until Bob has read down to the newest.
  await expect(roomLink(laptop.page, name)).toHaveAccessibleName(new RegExp(`${UNREAD} unread`));

  // Scrolling down reads the room (on every device), and "Jump to first unread" appears.
  await scrollLogToBottom(bob.page);
  await expect(messageArticle(bob.page, `Unread number ${UNREAD}:`)).toBeInViewport();
  await expect(jump).toBeVisible();
  await expect(roomLink(laptop.page, name)).not.toHaveAccessibleName(/unread/);
  await expect(roomLink(bob.page, name)).not.toHaveAccessibleName(/unread/);

  // The button brings the separator back to the top, and goes.
  await jump.click();
  await expect(separator).toBeInViewport();
  await expect.poll(() => offsetInLog(log, separator)).toBeLessThan(40);
  await expect(jump).toBeHidden();
  // By keyboard too.
  await scrollLogToBottom(bob.page);
  await expect(jump).toBeVisible();
  await jump.focus();
  await bob.page.keyboard.press("Enter");
  await expect(separator).toBeInViewport();
  await expect(jump).toBeHidden();

  // "Mark unread" on message 20: 20 to 30 are unread again, on both of Bob's devices, and "New
  // messages" moves above it.
  const twentieth = messageArticle(bob.page, "Unread number 20:");
  await twentieth.scrollIntoViewIfNeeded();
  await twentieth.hover();
  await twentieth.getByRole("button", { name: "Mark unread" }).click();
  await expect(roomLink(laptop.page, name)).toHaveAccessibleName(/11 unread/);
  await expect(roomLink(bob.page, name)).toHaveAccessibleName(/11 unread/);
  const order = await log
    .locator('[role="separator"][aria-label="New messages"], article')
    .evaluateAll((els) => els.map((el) => (el.tagName === "ARTICLE" ? (el.textContent ?? "") : "NEW")));
  expect(order[order.indexOf("NEW") + 1]).toContain("Unread number 20:");
  // The open room does not read it again, even at the bottom.
  await scrollLogToBottom(bob.page);
  await expect(messageArticle(bob.page, `Unread number ${UNREAD}:`)).toBeInViewport();
  await expect(roomLink(laptop.page, name)).toHaveAccessibleName(/11 unread/);

  // Escape in the room marks it read, on every device.
  await log.focus();
  await bob.page.keyboard.press("Escape");
  await expect(roomLink(laptop.page, name)).not.toHaveAccessibleName(/unread/);
  await expect(roomLink(bob.page, name)).not.toHaveAccessibleName(/unread/);
  await expect(separator).toHaveCount(0);
});

test("on a 390 px phone the room opens at the first unread message and the jump button works", async ({
  person,
}) => {
  test.setTimeout(120_000);
  const alice = await person("alice");
  const bob = await person("bob", { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const name = uniqueName("Phone");
  const roomId = await createRoomViaApi(alice.context.request, name);
  await joinRoomViaApi(bob.context.request, roomId);
  await openApp(bob.page, `/r/${roomId}`);
  await expect(bob.page.getByRole("heading", { level: 1, name })).toBeVisible();
  await openApp(bob.page, "/");

  await openApp(alice.page, `/r/${roomId}`);
  await expectOnline(alice.page);
  for (let n = 1; n <= 12; n++) {
    await messageBox(alice.page).fill(text(n));
    await messageBox(alice.page).press("Enter");
  }
  await expect(messageArticle(alice.page, "Unread number 12:")).toContainText("✓", { timeout: 30_000 });

  await openApp(bob.page, `/r/${roomId}`);
  const log = messageLog(bob.page);
  const separator = log.getByRole("separator", { name: "New messages" });
  await expect(separator).toBeInViewport();
  await expect(messageArticle(bob.page, "Unread number 1:")).toBeInViewport();
  await expect.poll(() => offsetInLog(log, separator)).toBeLessThan(40);
  await scrollLogToBottom(bob.page);
  const jump = bob.page.getByRole("button", { name: "Jump to first unread" });
  await expect(jump).toBeVisible();
  // The button sits inside the log, across no more than the screen's width.
  const box = await jump.boundingBox();
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(390);
  await jump.tap();
  await expect(separator).toBeInViewport();
  await expect(jump).toBeHidden();
});

test("Mark unread on one device is not read again by another that has the room open, until one sends there", async ({
  person,
}) => {
  test.setTimeout(90_000);
  const alice = await person("alice");
  const bob = await person("bob");
  const name = uniqueName("Standup");
  const roomId = await createRoomViaApi(alice.context.request, name);
  await joinRoomViaApi(bob.context.request, roomId);
  await openApp(bob.page, `/r/${roomId}`);
  const laptop = await anotherDevice(person, bob);
  await openApp(laptop.page, `/r/${roomId}`);
  await expect(laptop.page.getByRole("heading", { level: 1, name })).toBeVisible();

  await openApp(alice.page, `/r/${roomId}`);
  for (const line of ["Coffee at ten", "Review at eleven", "Lunch at noon"]) {
    await messageBox(alice.page).fill(line);
    await messageBox(alice.page).press("Enter");
  }
  // Both of Bob's devices show the room at its newest: read as the messages arrive.
  await expect(messageArticle(bob.page, "Lunch at noon")).toBeVisible();
  await expect(messageArticle(laptop.page, "Lunch at noon")).toBeVisible();
  await expect(roomLink(bob.page, name)).not.toHaveAccessibleName(/unread/);

  const review = messageArticle(bob.page, "Review at eleven");
  await review.hover();
  await review.getByRole("button", { name: "Mark unread" }).click();
  await expect(roomLink(laptop.page, name)).toHaveAccessibleName(/2 unread/);
  // The laptop moves "New messages" above it, and leaves the position alone although it shows the
  // newest messages: a message arriving now is counted on top instead of reading everything.
  const laptopLog = messageLog(laptop.page);
  const order = () =>
    laptopLog
      .locator('[role="separator"][aria-label="New messages"], article')
      .evaluateAll((els) => els.map((el) => (el.tagName === "ARTICLE" ? (el.textContent ?? "") : "NEW")));
  await expect.poll(async () => (await order()).join("|")).toMatch(/NEW\|[^|]*Review at eleven/);
  await messageBox(alice.page).fill("Standup moved");
  await messageBox(alice.page).press("Enter");
  await expect(messageArticle(laptop.page, "Standup moved")).toBeVisible();
  await expect(roomLink(laptop.page, name)).toHaveAccessibleName(/3 unread/);
  await expect(roomLink(bob.page, name)).toHaveAccessibleName(/3 unread/);

  // Bob answers from the laptop: he is reading the room again, everywhere.
  await messageBox(laptop.page).fill("On my way");
  await messageBox(laptop.page).press("Enter");
  await expect(roomLink(laptop.page, name)).not.toHaveAccessibleName(/unread/);
  await expect(roomLink(bob.page, name)).not.toHaveAccessibleName(/unread/);
});
