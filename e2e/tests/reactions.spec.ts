import {
  createRoomViaApi,
  expect,
  expectOnline,
  joinRoomViaApi,
  messageArticle,
  openApp,
  sendMessage,
  test,
  uniqueName,
} from "./support.ts";

/**
 * Reactions (each member reacts as themselves: docs/architecture.md, "Who writes which document"): chips under a message,
 * named "👍 2" or "👍 2, reacted by you", toggled by a click; "Add reaction" opens a picker.
 */
test("two people react to a message, take a reaction back, and the reactions survive a reload", async ({
  person,
}) => {
  const alice = await person("alice");
  const bob = await person("bob");
  const roomId = await createRoomViaApi(alice.context.request, uniqueName("Lunch"));
  await joinRoomViaApi(bob.context.request, roomId);
  for (const { page } of [alice, bob]) {
    await openApp(page, `/r/${roomId}`);
    await expectOnline(page);
  }
  await sendMessage(bob.page, "Pizza at noon?");
  const onAlice = messageArticle(alice.page, "Pizza at noon?");
  const onBob = messageArticle(bob.page, "Pizza at noon?");
  await expect(onAlice).toBeVisible();

  // Alice opens the picker from the message's actions and picks 👍.
  await onAlice.hover();
  await onAlice.getByRole("button", { name: "Add reaction" }).click();
  const picker = onAlice.getByRole("group", { name: "Pick a reaction" });
  await expect(picker.getByRole("button", { name: /^React with / })).toHaveCount(8);
  await alice.page.setViewportSize({ width: 1280, height: 800 });
  await alice.page.screenshot({ path: "/tmp/react-picker-1280.png" });
  await picker.getByRole("button", { name: "React with 👍" }).click();
  await expect(picker).toBeHidden();
  const aliceChips = onAlice.getByRole("group", { name: "Reactions" });
  await expect(aliceChips.getByRole("button", { name: "👍 1, reacted by you" })).toHaveAttribute(
    "aria-pressed",
    "true",
  );

  // Bob sees it, and adds his own by clicking the chip.
  const bobChips = onBob.getByRole("group", { name: "Reactions" });
  const bobThumb = bobChips.getByRole("button", { name: "👍 1" });
  await expect(bobThumb).toHaveAttribute("aria-pressed", "false");
  await expect(bobThumb).toHaveAttribute("title", `Reacted by ${alice.username}`);
  await bobThumb.click();
  await expect(bobChips.getByRole("button", { name: "👍 2, reacted by you" })).toHaveAttribute(
    "aria-pressed",
    "true",
  );
  await expect(aliceChips.getByRole("button", { name: "👍 2, reacted by you" })).toBeVisible();

  // Alice takes hers back.
  await aliceChips.getByRole("button", { name: "👍 2, reacted by you" }).click();
  await expect(aliceChips.getByRole("button", { name: "👍 1" })).toHaveAttribute("aria-pressed", "false");
  await expect(bobChips.getByRole("button", { name: "👍 1, reacted by you" })).toBeVisible();

  // The keyboard reaches the picker, and Escape closes it and gives focus back.
  await onAlice.getByRole("button", { name: "Add reaction" }).focus();
  await alice.page.keyboard.press("Enter");
  await expect(picker.getByRole("button", { name: "React with 👍" })).toBeFocused();
  await alice.page.keyboard.press("ArrowRight");
  await expect(picker.getByRole("button", { name: "React with ❤️" })).toBeFocused();
  await alice.page.keyboard.press("Escape");
  await expect(picker).toBeHidden();
  await expect(onAlice.getByRole("button", { name: "Add reaction" })).toBeFocused();
  // …and picks with Enter: a second emoji joins the first.
  await alice.page.keyboard.press("Enter");
  await alice.page.keyboard.press("ArrowRight");
  await alice.page.keyboard.press("Enter");
  await expect(aliceChips.getByRole("button")).toHaveText(["👍1", "❤️1"]);
  await expect(aliceChips.getByRole("button", { name: "❤️ 1, reacted by you" })).toBeVisible();
  await expect(bobChips.getByRole("button", { name: "❤️ 1" })).toBeVisible();
  await alice.page.screenshot({ path: "/tmp/react-chips-1280.png" });

  // After a reload (from the device, then the server) the reactions are still there.
  for (const { page } of [alice, bob]) await page.reload();
  await expect(
    messageArticle(bob.page, "Pizza at noon?").getByRole("button", { name: "👍 1, reacted by you" }),
  ).toBeVisible();
  await expect(
    messageArticle(alice.page, "Pizza at noon?").getByRole("button", { name: "👍 1" }),
  ).toBeVisible();
  await expect(
    messageArticle(alice.page, "Pizza at noon?").getByRole("button", { name: "❤️ 1, reacted by you" }),
  ).toBeVisible();

  // Phone width: chips and picker fit.
  await bob.page.setViewportSize({ width: 390, height: 844 });
  const phoneMessage = messageArticle(bob.page, "Pizza at noon?");
  await phoneMessage.click(); // a tap shows the actions where there is no hover; a click does here too
  await phoneMessage.getByRole("button", { name: "Add reaction" }).click();
  await expect(phoneMessage.getByRole("group", { name: "Pick a reaction" })).toBeVisible();
  await bob.page.screenshot({ path: "/tmp/react-picker-390.png" });
  await bob.page.keyboard.press("Escape");
  await expect(phoneMessage.getByRole("group", { name: "Pick a reaction" })).toBeHidden();
  await bob.page.screenshot({ path: "/tmp/react-chips-390.png" });
  // A press outside the picker closes it as well.
  await phoneMessage.getByRole("button", { name: "Add reaction" }).click();
  await expect(phoneMessage.getByRole("group", { name: "Pick a reaction" })).toBeVisible();
  await bob.page.getByRole("heading", { level: 1 }).click();
  await expect(phoneMessage.getByRole("group", { name: "Pick a reaction" })).toBeHidden();
});

test("a reaction made offline shows at once, counts as pending, and reaches the other person on reconnect", async ({
  person,
}) => {
  const alice = await person("alice");
  const bob = await person("bob");
  const roomId = await createRoomViaApi(alice.context.request, uniqueName("Field"));
  await joinRoomViaApi(bob.context.request, roomId);
  for (const { page } of [alice, bob]) {
    await openApp(page, `/r/${roomId}`);
    await expectOnline(page);
  }
  await sendMessage(bob.page, "Train is late");
  const onAlice = messageArticle(alice.page, "Train is late");
  await expect(onAlice).toBeVisible();
  // Numbered, and alice's read position for it acknowledged, before the network goes: bob's message
  // reaches her while the server stores it, and the read position that follows it would otherwise
  // be a second change waiting beside the reaction.
  await expect(onAlice).not.toContainText("Pending");
  const status = alice.page.getByRole("status", { name: "Connection" });
  await expect(status).not.toContainText("pending");

  await alice.context.setOffline(true);
  await expect(status).toContainText(/Offline|Connecting/);
  await onAlice.hover();
  await onAlice.getByRole("button", { name: "Add reaction" }).click();
  await onAlice
    .getByRole("group", { name: "Pick a reaction" })
    .getByRole("button", { name: "React with 😢" })
    .click();
  await expect(onAlice.getByRole("button", { name: "😢 1, reacted by you" })).toBeVisible();
  await expect(status).toContainText("1 pending");
  await expect(
    messageArticle(bob.page, "Train is late").getByRole("group", { name: "Reactions" }),
  ).toHaveCount(0);

  await alice.context.setOffline(false);
  await expect(messageArticle(bob.page, "Train is late").getByRole("button", { name: "😢 1" })).toBeVisible({
    timeout: 20_000,
  });
  await expect(status).not.toContainText("pending");
});

test("on a phone the last message's reaction picker opens where it can be seen whole", async ({ person }) => {
  const alice = await person("alice", {
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
  });
  const roomId = await createRoomViaApi(alice.context.request, uniqueName("Picker"));
  await openApp(alice.page, `/r/${roomId}`);
  await expectOnline(alice.page);
  for (let i = 1; i <= 12; i++) await sendMessage(alice.page, `Line ${i} of a busy morning`);
  const last = messageArticle(alice.page, "Line 12 of a busy morning");
  await last.click(); // a tap shows the actions where there is no hover
  await last.getByRole("button", { name: "Add reaction" }).click();
  const picker = alice.page.getByRole("group", { name: "Pick a reaction" });
  await expect(picker).toBeVisible();
  const log = alice.page.getByRole("log", { name: "Messages" });
  const [shown, area] = [(await picker.boundingBox())!, (await log.boundingBox())!];
  expect(shown.y).toBeGreaterThanOrEqual(area.y);
  expect(shown.y + shown.height).toBeLessThanOrEqual(area.y + area.height + 0.5);
  await picker.getByRole("button", { name: "React with 🎉" }).click();
  await expect(last.getByRole("button", { name: /🎉 1/ })).toBeVisible();

  // Grown into every emoji, it is placed again, whole.
  const add = last.getByRole("button", { name: "Add reaction" });
  if (!(await add.isVisible())) await last.click(); // the actions may still be shown from before
  await add.click();
  await picker.getByRole("button", { name: "More reactions" }).click();
  const every = picker.getByRole("group", { name: "Every emoji" });
  await expect(every.getByRole("searchbox", { name: "Search emoji" })).toBeFocused();
  // The picker is placed again in the frame after it grows (it measures its new size first).
  await expect
    .poll(async () => {
      const [grown, room] = [(await picker.boundingBox())!, (await log.boundingBox())!];
      return grown.y >= room.y && grown.y + grown.height <= room.y + room.height + 0.5;
    })
    .toBe(true);
});
