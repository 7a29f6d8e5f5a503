import {
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

test("the message log renders a window, and keeps the reader's place while new messages arrive", async ({
  person,
}) => {
  test.setTimeout(120_000);
  const alice = await person("alice");
  const bob = await person("bob");
  const name = uniqueName("Busy");
  const roomId = await createRoomViaApi(alice.context.request, name);
  await joinRoomViaApi(bob.context.request, roomId);
  // Alice watches the backlog arrive, so she has read it: a room with unread messages would open at
  // the first of them (unread.spec.ts), and this test is about opening at the newest.
  await openApp(alice.page, `/r/${roomId}`);
  await openApp(bob.page, `/r/${roomId}`);
  await expectOnline(bob.page);
  const box = messageBox(bob.page);
  for (let i = 1; i <= 120; i++) {
    await box.fill(`Backlog message ${i} of the day`);
    await box.press("Enter");
  }
  await expect(messageArticle(bob.page, "Backlog message 120 of the day")).toContainText("✓", {
    timeout: 30_000,
  });

  await expect(roomLink(alice.page, name)).not.toHaveAccessibleName(/unread/);
  await openApp(alice.page, `/r/${roomId}`);
  await expect(messageArticle(alice.page, "Backlog message 120 of the day")).toBeVisible();
  const log = messageLog(alice.page);
  // Only the latest messages are in the page at first.
  expect(await log.getByRole("article").count()).toBeLessThan(120);
  await expect(messageArticle(alice.page, "Backlog message 10 of the day")).toHaveCount(0);

  // Scrolling back brings older messages in.
  const target = messageArticle(alice.page, "Backlog message 40 of the day");
  await log.hover();
  for (let i = 0; i < 50 && (await target.count()) === 0; i++) await alice.page.mouse.wheel(0, -600);
  await target.scrollIntoViewIfNeeded();
  await alice.page.waitForTimeout(300);
  const before = (await target.boundingBox())!.y;

  // Bob keeps talking; what Alice is reading does not move.
  for (const text of ["Fresh news one", "Fresh news two", "Fresh news three"]) {
    await box.fill(text);
    await box.press("Enter");
  }
  await expect(messageArticle(bob.page, "Fresh news three")).toContainText("✓");
  await alice.page.waitForTimeout(1_000);
  expect(Math.abs((await target.boundingBox())!.y - before)).toBeLessThan(2);

  // "Jump to the latest messages" (or scrolling down) reaches them.
  await alice.page.getByRole("button", { name: "Jump to the latest messages" }).click();
  await expect(messageArticle(alice.page, "Fresh news three")).toBeInViewport();
});
