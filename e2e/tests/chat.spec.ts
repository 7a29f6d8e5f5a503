import {
  anotherDevice,
  createRoomViaApi,
  expect,
  expectOnline,
  messageArticle,
  messageBox,
  messageLog,
  openApp,
  roomLink,
  sendMessage,
  test,
  uniqueName,
} from "./support.ts";

test("two people chat in a new room, with Markdown rendered safely, and the history survives a reload", async ({
  person,
}) => {
  const alice = await person("alice");
  const bob = await person("bob");
  await openApp(alice.page);
  await openApp(bob.page);
  await expectOnline(alice.page);
  await expectOnline(bob.page);

  // Alice creates a room; Bob's nav shows it without a reload.
  const roomName = uniqueName("Team");
  await alice.page.getByRole("button", { name: "New room" }).click();
  const dialog = alice.page.getByRole("dialog", { name: "New room" });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("textbox", { name: "Room name" }).fill(roomName);
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(dialog).toBeHidden();
  await expect(roomLink(alice.page, roomName)).toBeVisible();
  await expect(roomLink(bob.page, roomName)).toBeVisible();

  // Both open it: the same /r/<id> URL and the room name as the page's heading.
  await roomLink(alice.page, roomName).click();
  await expect(alice.page).toHaveURL(/\/r\/[a-z0-9-]+$/);
  const roomPath = new URL(alice.page.url()).pathname;
  await roomLink(bob.page, roomName).click();
  await expect(bob.page).toHaveURL(new RegExp(`${roomPath}$`));
  for (const { page } of [alice, bob]) {
    await expect(page.getByRole("heading", { level: 1, name: roomName })).toBeVisible();
    await expect(messageLog(page)).toBeVisible();
  }
  // Bob is not in it yet: he joins on purpose (joining.spec.ts covers the preview).
  await bob.page.getByRole("button", { name: "Join room" }).click();
  await expect(messageBox(bob.page)).toBeVisible();

  // Each sees the other's message, with its author.
  await sendMessage(alice.page, "Hello Bob, welcome to the room");
  await expect(messageBox(alice.page)).toHaveValue("");
  await expect(messageArticle(bob.page, "Hello Bob, welcome to the room")).toContainText(alice.username);
  await sendMessage(bob.page, "Hi Alice, glad to be here");
  await expect(messageArticle(alice.page, "Hi Alice, glad to be here")).toContainText(bob.username);
  await expect(
    messageArticle(alice.page, "Hello Bob, welcome to the room").getByRole("time"),
  ).toHaveAttribute("datetime", /^\d{4}-\d{2}-\d{2}T/);

  // Markdown renders: bold is <strong>, a link opens in a new tab without access to this page.
  await sendMessage(alice.page, "This is **bold** and a [useful link](https://example.com/docs)");
  const markdown = messageArticle(bob.page, "useful link");
  await expect(markdown.getByRole("strong")).toHaveText("bold");
  const link = markdown.getByRole("link", { name: "useful link" });
  await expect(link).toHaveAttribute("href", "https://example.com/docs");
  await expect(link).toHaveAttribute("target", "_blank");
  await expect(link).toHaveAttribute("rel", /\bnoopener\b/);

  // Raw HTML is shown as text, never turned into an element.
  const html = "<img src=x onerror=alert(1)> and <b>not bold</b>";
  await sendMessage(alice.page, html);
  for (const { page } of [alice, bob]) {
    const article = messageArticle(page, "<img src=x onerror=alert(1)>");
    await expect(article).toContainText(html);
    // No element was made from it (a CSS query on purpose: <b> has no role to find it by).
    await expect(article.locator("img, b")).toHaveCount(0);
  }
  expect(alice.dialogs).toEqual([]);
  expect(bob.dialogs).toEqual([]);

  // A reload returns to the same room with its history.
  await alice.page.reload();
  await expect(alice.page).toHaveURL(new RegExp(`${roomPath}$`));
  await expect(alice.page.getByRole("heading", { level: 1, name: roomName })).toBeVisible();
  await expect(messageArticle(alice.page, "Hi Alice, glad to be here")).toBeVisible();
  await expect(messageArticle(alice.page, "useful link").getByRole("strong")).toHaveText("bold");

  // The history comes from the server: a fresh browser (no local cache) at the room URL shows it too.
  const { page } = await anotherDevice(person, alice);
  await page.goto(roomPath);
  await expect(page.getByRole("heading", { level: 1, name: roomName })).toBeVisible();
  await expect(messageArticle(page, "Hello Bob, welcome to the room")).toBeVisible();
  await expect(messageArticle(page, "Hi Alice, glad to be here")).toBeVisible();
  await expect(messageLog(page).getByRole("article")).toHaveCount(4);
});

test("a code block is highlighted and its Copy button copies the code as written", async ({ person }) => {
  const alice = await person("alice");
  await alice.context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const roomId = await createRoomViaApi(alice.context.request, uniqueName("Code"));
  await openApp(alice.page, `/r/${roomId}`);
  const code = "const answer: number = 42;\nconsole.log(`<b>${answer}</b>`);";
  const box = messageBox(alice.page);
  // Shift+Enter is a new line in the composer.
  await box.fill(`Try this:\n\`\`\`ts\n${code}\n\`\`\``);
  await box.press("Enter");
  const message = messageArticle(alice.page, "Try this:");
  await expect(message.locator(".hljs-keyword").first()).toHaveText("const");
  await message.hover();
  await message.getByRole("button", { name: "Copy code" }).click();
  await expect(message.getByRole("button", { name: "Code copied" })).toBeVisible();
  expect(await alice.page.evaluate("navigator.clipboard.readText()")).toBe(code);
});
