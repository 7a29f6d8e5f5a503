import {
  createRoomViaApi,
  expect,
  messageArticle,
  messageBox,
  openApp,
  test,
  uniqueName,
} from "./support.ts";

/**
 * Emoji (issue 22): the composer's picker (button "Emoji": searchable, the ones used last first),
 * `:shortcode:` completion, the whole set for reactions beside the quick eight, and search by emoji.
 */
test("emoji from the picker, by shortcode, as reactions, and found by search", async ({ person }) => {
  const alice = await person("alice");
  const roomName = uniqueName("Emoji");
  const roomId = await createRoomViaApi(alice.context.request, roomName);
  await openApp(alice.page, `/r/${roomId}`);
  const box = messageBox(alice.page);

  // The picker: search, pick, and it goes where the caret is.
  await box.fill("Shipped ");
  await alice.page.getByRole("button", { name: "Emoji", exact: true }).click();
  const picker = alice.page.getByRole("group", { name: "Emoji", exact: true });
  await picker.getByRole("searchbox", { name: "Search emoji" }).fill("party pop");
  await picker.getByRole("button", { name: "Party Popper" }).click();
  await expect(picker).toBeHidden();
  await expect(box).toHaveValue("Shipped 🎉");
  await expect(box).toBeFocused();

  // A shortcode: ":rocke" offers the rocket; Enter puts it in.
  await box.press("End");
  await box.pressSequentially(" and :rocke");
  const suggestions = alice.page.getByRole("listbox", { name: "Emoji suggestions" });
  await expect(suggestions.getByRole("option", { name: /:rocket:/ })).toBeVisible();
  await box.press("Enter");
  await expect(box).toHaveValue("Shipped 🎉 and 🚀");
  // A whole code with its closing colon turns into the emoji as it is typed.
  await box.pressSequentially(" :white_check_mark:");
  await expect(box).toHaveValue("Shipped 🎉 and 🚀 ✅");
  await box.press("Enter");
  const message = messageArticle(alice.page, "Shipped 🎉 and 🚀 ✅");
  await expect(message).toBeVisible();

  // The picker remembers: the emoji used last come first.
  await alice.page.getByRole("button", { name: "Emoji", exact: true }).click();
  const recent = picker.getByRole("region", { name: "Recently used" });
  await expect(recent.getByRole("button").first()).toHaveAccessibleName("Check Mark Button");
  await expect(recent.getByRole("button", { name: "Party Popper" })).toBeVisible();
  await alice.page.keyboard.press("Escape");
  await expect(picker).toBeHidden();
  await expect(box).toBeFocused();

  // Reactions: the quick eight, and "More reactions" for any other.
  await message.hover();
  await message.getByRole("button", { name: "Add reaction" }).click();
  const reactions = message.getByRole("group", { name: "Pick a reaction" });
  await reactions.getByRole("button", { name: "More reactions" }).click();
  const every = reactions.getByRole("group", { name: "Every emoji" });
  await every.getByRole("searchbox", { name: "Search emoji" }).fill("unicorn");
  await every.getByRole("button", { name: "Unicorn" }).click();
  await expect(
    message.getByRole("group", { name: "Reactions" }).getByRole("button", { name: /^🦄 1/ }),
  ).toBeVisible();

  // Search finds the message by an emoji in it.
  const search = alice.page.getByRole("searchbox", { name: "Search messages" });
  await search.fill("🚀");
  const results = alice.page.getByRole("region", { name: "Search results" });
  await expect(results.getByRole("region", { name: roomName })).toContainText("Shipped");
});
