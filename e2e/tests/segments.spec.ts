import { SEGMENT_CAPACITY } from "@chat/model";
import { seedRoom, writeToDevice } from "./deviceSeed.ts";
import {
  createRoomViaApi,
  expect,
  expectOnline,
  installApp,
  joinRoomViaApi,
  messageArticle,
  messageLog,
  openApp,
  sendMessage,
  sessionUserId,
  test,
  uniqueName,
} from "./support.ts";

test("a room whose newest segment was just sealed shows the previous segment's messages at once, then on the next visit from its tail", async ({
  person,
}) => {
  test.setTimeout(120_000);
  const alice = await person("alice");
  const userId = await sessionUserId(alice.page);
  const name = uniqueName("Sealed");
  const roomId = await createRoomViaApi(alice.context.request, name);
  await installApp(alice, "/");
  await alice.context.setOffline(true);
  // Exactly one full segment, and the new empty one the server opened when it sealed it.
  await writeToDevice(alice, userId, seedRoom(roomId, name, userId, SEGMENT_CAPACITY, { justSealed: true }));

  for (const visit of ["first visit", "second visit"]) {
    await alice.page.goto(`/r/${roomId}`);
    // No scrolling: the newest messages are on screen although the newest segment holds none.
    await expect(
      messageArticle(alice.page, `History message number ${SEGMENT_CAPACITY}:`),
      visit,
    ).toBeVisible();
    await expect(
      messageArticle(alice.page, `History message number ${SEGMENT_CAPACITY - 40}:`),
      visit,
    ).toBeAttached();
    const count = await messageLog(alice.page).getByRole("article").count();
    expect(count, visit).toBeGreaterThanOrEqual(50);
    // The cached tail (written a second after the room settles) is the full screenful, not empty.
    await alice.page.waitForTimeout(1_500);
    const tail = (await alice.page.evaluate(
      `JSON.parse(localStorage.getItem(${JSON.stringify(`chat.tail:${userId}:${roomId}`)}) ?? "null")?.messages?.length ?? 0`,
    )) as number;
    expect(tail, visit).toBe(50);
  }
});

test("a room never opened on this device still has its latest messages cached, kept by the background sync", async ({
  person,
}) => {
  test.setTimeout(120_000);
  const alice = await person("alice");
  const bob = await person("bob");
  const userId = await sessionUserId(alice.page);
  const roomId = await createRoomViaApi(alice.context.request, uniqueName("Elsewhere"));
  await joinRoomViaApi(bob.context.request, roomId);
  // Alice has the app open, but not on that room.
  await openApp(alice.page, "/");
  await expectOnline(alice.page);

  await openApp(bob.page, `/r/${roomId}`);
  await expectOnline(bob.page);
  for (let i = 1; i <= 55; i++) await sendMessage(bob.page, `Background news ${i}`);
  await expect(messageArticle(bob.page, "Background news 55")).toContainText("✓", { timeout: 30_000 });

  const tailKey = JSON.stringify(`chat.tail:${userId}:${roomId}`);
  await expect
    .poll(
      async () =>
        (await alice.page.evaluate(
          `(JSON.parse(localStorage.getItem(${tailKey}) ?? "null")?.messages ?? []).map((m) => m.text).at(-1) ?? null`,
        )) as string | null,
      { timeout: 20_000 },
    )
    .toBe("Background news 55");
  const stored = (await alice.page.evaluate(
    `JSON.parse(localStorage.getItem(${tailKey})).messages.map((m) => [m.text, typeof m.html])`,
  )) as [string, string][];
  expect(stored).toHaveLength(50);
  // Rendered ahead, so the first screen of that room needs no Markdown renderer.
  expect(stored.every(([, html]) => html === "string")).toBe(true);

  // Opened for the first time, offline: the latest messages are there.
  await alice.context.setOffline(true);
  await alice.page.goto(`/r/${roomId}`);
  await expect(messageArticle(alice.page, "Background news 55")).toBeVisible();
  await expect(messageArticle(alice.page, "Background news 10")).toBeAttached();
});
