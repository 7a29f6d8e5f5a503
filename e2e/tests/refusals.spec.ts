import {
  createRoomViaApi,
  expect,
  expectOnline,
  installApp,
  messageArticle,
  messageLog,
  type Person,
  sendMessage,
  signInViaApi,
  test,
  uniqueName,
} from "./support.ts";

const connection = (person: Person) => person.page.getByRole("status", { name: "Connection" });

/**
 * A change made offline that the server refuses once it arrives (4403): here an edit of a message
 * that the same person deleted meanwhile on another device ("a deleted message stays deleted"). The
 * device says so, drops the change instead of sending it again forever, and the message is what
 * the server says it is.
 */
test("a change made offline that the server refuses is said, dropped from the device and never reaches anyone", async ({
  person,
}) => {
  const laptop = await person("alice");
  const roomId = await createRoomViaApi(laptop.context.request, uniqueName("Plans"));
  const roomPath = `/r/${roomId}`;
  await installApp(laptop, roomPath);
  await expectOnline(laptop.page);
  await sendMessage(laptop.page, "Plan for Friday");
  await expect(messageArticle(laptop.page, "Plan for Friday")).toContainText("✓");

  // The same person on a second device, which keeps the room for offline use.
  const phone: Person = { ...(await person("phone", { signUp: false })), username: laptop.username };
  await signInViaApi(phone.context.request, laptop.username, laptop.password);
  await installApp(phone, roomPath);
  await expectOnline(phone.page);
  await expect(messageArticle(phone.page, "Plan for Friday")).toBeVisible();
  await phone.page.waitForTimeout(2_500);

  // On the train: the phone edits the message with no network.
  await phone.context.setOffline(true);
  await expect(connection(phone)).toContainText("Offline");
  const onPhone = messageArticle(phone.page, "Plan for Friday");
  await onPhone.hover();
  await onPhone.getByRole("button", { name: "Edit message" }).click();
  const editor = messageLog(phone.page).getByRole("textbox", { name: "Edit message" });
  await editor.fill("Plan for Saturday");
  await editor.press("Enter");
  await expect(messageArticle(phone.page, "Plan for Saturday")).toContainText("(edited)");
  await expect(connection(phone)).toContainText("1 pending");

  // Meanwhile the laptop deletes it.
  const onLaptop = messageArticle(laptop.page, "Plan for Friday");
  await onLaptop.hover();
  await onLaptop.getByRole("button", { name: "Delete message" }).click();
  await onLaptop.getByRole("button", { name: "Delete", exact: true }).click();
  await expect(messageArticle(laptop.page, "Plan for Friday")).toHaveCount(0);
  await expect(messageLog(laptop.page)).toContainText("message deleted");

  // The phone comes back: its edit is refused, and it says so.
  await phone.context.setOffline(false);
  const alert = phone.page.getByRole("alert").filter({ hasText: "The server refused a change" });
  await expect(alert).toBeVisible({ timeout: 20_000 });
  await expect(alert).toContainText("a deleted message stays deleted");
  await expect(connection(phone)).not.toContainText("pending");

  // After a reload the phone shows what the server has (deleted), and the refused edit is gone
  // from the device: nothing is sent again.
  await alert.getByRole("button", { name: "Reload" }).click();
  await expectOnline(phone.page);
  await expect(messageLog(phone.page)).toContainText("message deleted");
  await expect(phone.page.getByText("Plan for Saturday")).toHaveCount(0);
  await expect(phone.page.getByRole("alert").filter({ hasText: "The server refused" })).toHaveCount(0);
  await expect(connection(phone)).not.toContainText("pending");

  // Nobody else ever saw the edit.
  await laptop.page.reload();
  await expectOnline(laptop.page);
  await expect(messageLog(laptop.page)).toContainText("message deleted");
  await expect(laptop.page.getByText("Plan for Saturday")).toHaveCount(0);
});
