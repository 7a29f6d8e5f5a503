import {
  createRoomViaApi,
  expect,
  messageArticle,
  messageBox,
  openApp,
  roomLink,
  sendMessage,
  test,
  uniqueName,
} from "./support.ts";

test("Up-arrow in the empty composer edits one's last message; with text in the box it moves the caret", async ({
  person,
}) => {
  const alice = await person("alice");
  const roomId = await createRoomViaApi(alice.context.request, uniqueName("Keys"));
  await openApp(alice.page, `/r/${roomId}`);
  await sendMessage(alice.page, "The first one");
  await sendMessage(alice.page, "Helo world");
  const editBox = alice.page.getByRole("textbox", { name: "Edit message" });

  // Text in the box: the arrow is the box's own.
  await messageBox(alice.page).fill("a draft");
  await messageBox(alice.page).press("ArrowUp");
  await expect(editBox).toHaveCount(0);
  await messageBox(alice.page).fill("");

  await messageBox(alice.page).press("ArrowUp");
  await expect(editBox).toBeFocused();
  await expect(editBox).toHaveValue("Helo world");
  await editBox.fill("Hello world");
  await editBox.press("Enter");
  const edited = messageArticle(alice.page, "Hello world");
  await expect(edited).toContainText("(edited)");
  await expect(messageArticle(alice.page, "The first one")).not.toContainText("(edited)");

  // Escape leaves the edit box as it was.
  await messageBox(alice.page).click();
  await messageBox(alice.page).press("ArrowUp");
  await expect(editBox).toHaveValue("Hello world");
  await editBox.press("Escape");
  await expect(editBox).toHaveCount(0);
});

test("Ctrl+K jumps to a room or person by part of the name, offline too; Alt+arrows move through the sidebar; ? lists the shortcuts", async ({
  person,
}) => {
  const alice = await person("alice");
  const bob = await person("bob");
  const planning = uniqueName("Planning");
  const random = uniqueName("Random");
  const planningId = await createRoomViaApi(alice.context.request, planning);
  await createRoomViaApi(alice.context.request, random);
  await openApp(alice.page, `/r/${planningId}`);
  await expect(alice.page.getByRole("heading", { level: 1, name: planning })).toBeVisible();
  // Her own room (in her index, not only in the directory): it comes before other people's public
  // rooms that match as well, whatever else the suite has created.
  await expect(roomLink(alice.page, random)).toBeVisible();

  // Jump to a room by letters of its name.
  await alice.page.keyboard.press("Control+k");
  const jump = alice.page.getByRole("dialog", { name: "Jump to" });
  const field = jump.getByRole("combobox", { name: "Room or person" });
  await expect(field).toBeFocused();
  await field.fill(random.slice(0, 4).toLowerCase());
  await expect(jump.getByRole("option").first()).toContainText(random);
  await field.press("Enter");
  await expect(jump).toBeHidden();
  await expect(alice.page.getByRole("heading", { level: 1, name: random })).toBeVisible();

  // A person, with no network: the list comes from the device.
  await alice.context.setOffline(true);
  await alice.page.keyboard.press("Control+k");
  await field.fill(bob.username);
  await expect(jump.getByRole("option", { selected: true })).toContainText(bob.username);
  await field.press("Enter");
  await expect(alice.page).toHaveURL(new RegExp(`/dm/${bob.username}$`));
  await alice.context.setOffline(false);

  // Alt+↑ and Alt+↓ walk the sidebar's conversations in the order it shows them.
  await openApp(alice.page, `/r/${planningId}`);
  const order = await alice.page
    .locator("#sidebar nav a.nav-link")
    .evaluateAll((links) => links.map((link) => new URL((link as HTMLAnchorElement).href).pathname));
  const at = order.indexOf(`/r/${planningId}`);
  await alice.page.keyboard.press("Alt+ArrowDown");
  await expect(alice.page).toHaveURL(new RegExp(`${order[(at + 1) % order.length]}$`));
  await alice.page.keyboard.press("Alt+ArrowUp");
  await expect(alice.page).toHaveURL(new RegExp(`/r/${planningId}$`));

  // "?" outside a text box lists the shortcuts; inside one it is just a character.
  await alice.page.getByRole("heading", { level: 1, name: planning }).click();
  await alice.page.keyboard.press("?");
  const help = alice.page.getByRole("dialog", { name: "Keyboard shortcuts" });
  await expect(help).toContainText("Jump to a room or person");
  await alice.page.keyboard.press("Escape");
  await expect(help).toBeHidden();
  await messageBox(alice.page).click();
  await alice.page.keyboard.press("?");
  await expect(help).toBeHidden();
  await expect(messageBox(alice.page)).toHaveValue("?");
});
