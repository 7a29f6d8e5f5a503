import { SEGMENT_CAPACITY } from "@chat/model";
import { seedRoom, writeToDevice } from "./deviceSeed.ts";
import {
  createRoomViaApi,
  expect,
  installApp,
  messageArticle,
  messageLog,
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
