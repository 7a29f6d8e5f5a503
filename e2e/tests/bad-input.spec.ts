import {
  createRoomViaApi,
  expect,
  messageArticle,
  messageBox,
  messageLog,
  openApp,
  type Person,
  sendMessage,
  test,
  uniqueName,
} from "./support.ts";

/** Opens a fresh room of Alice's with one message in it. */
async function roomWithOneMessage(alice: Person) {
  const roomName = uniqueName("Checks");
  const roomId = await createRoomViaApi(alice.context.request, roomName);
  await openApp(alice.page, `/r/${roomId}`);
  await expect(alice.page.getByRole("heading", { level: 1, name: roomName })).toBeVisible();
  await sendMessage(alice.page, "The first message");
  await expect(messageArticle(alice.page, "The first message")).toBeVisible();
  await expect(messageLog(alice.page).getByRole("article")).toHaveCount(1);
}

test("Enter in an empty box sends nothing and says nothing, as in Slack and Element", async ({ person }) => {
  const alice = await person("alice");
  await roomWithOneMessage(alice);
  const { page } = alice;

  await messageBox(page).fill("   ");
  await messageBox(page).press("Enter");
  await messageBox(page).fill("");
  await messageBox(page).press("Enter");
  await expect(messageLog(page).getByRole("article")).toHaveCount(1);
  await expect(page.getByRole("alert")).toHaveCount(0);
  await page.waitForTimeout(500);
  await expect(messageLog(page).getByRole("article")).toHaveCount(1);
});

test("a message over 10,000 characters is refused and stays in the box", async ({ person }) => {
  const alice = await person("alice");
  await roomWithOneMessage(alice);
  const { page } = alice;

  const tooLong = "x".repeat(10_001);
  await messageBox(page).fill(tooLong);
  await messageBox(page).press("Enter");
  await expect(page.getByRole("alert")).toContainText("10,000");
  await expect(messageBox(page)).toHaveValue(tooLong);
  await expect(messageLog(page).getByRole("article")).toHaveCount(1);

  // Exactly 10,000 is fine.
  const longest = "y".repeat(10_000);
  await messageBox(page).fill(longest);
  await messageBox(page).press("Enter");
  await expect(messageBox(page)).toHaveValue("");
  await expect(messageArticle(page, "yyyyyyyyyy")).toHaveCount(1);
  await expect(messageLog(page).getByRole("article")).toHaveCount(2);
});

test("a room name that exists already is refused inside the dialog", async ({ person }) => {
  const alice = await person("alice");
  const roomName = uniqueName("Planning");
  await createRoomViaApi(alice.context.request, roomName);
  const { page } = alice;
  await openApp(page);

  await page.getByRole("button", { name: "New room" }).click();
  const dialog = page.getByRole("dialog", { name: "New room" });
  // Room names are unique case-insensitively.
  await dialog.getByRole("textbox", { name: "Room name" }).fill(roomName.toUpperCase());
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(dialog.getByRole("alert")).toContainText(/already exists/i);
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("textbox", { name: "Room name" })).toHaveValue(roomName.toUpperCase());
});
