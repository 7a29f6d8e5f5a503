import {
  createRoomViaApi,
  dmLink,
  expect,
  joinRoomViaApi,
  messageArticle,
  messageBox,
  messageLog,
  openApp,
  roomLink,
  roomsNav,
  sendMessage,
  signInViaApi,
  test,
  uniqueName,
} from "./support.ts";

/**
 * Issue 3, "Life in the rooms": counts and badges from the per-user index in real time, marking read
 * on every device, "New messages", mentions that highlight and invite, private rooms, edit and delete,
 * typing, receipts, the tab title and the narrow layout.
 */

test("unread count and mention badge light up in real time in another room, and clear on every device", async ({
  person,
}) => {
  const alice = await person("alice");
  const bob = await person("bob");
  const busy = uniqueName("Busy");
  const quiet = uniqueName("Quiet");
  const busyId = await createRoomViaApi(alice.context.request, busy);
  await joinRoomViaApi(bob.context.request, busyId);
  await createRoomViaApi(bob.context.request, quiet);

  // Bob is in Busy (joined), and sits in Quiet.
  await openApp(bob.page, `/r/${busyId}`);
  await expect(bob.page.getByRole("heading", { level: 1, name: busy })).toBeVisible();
  await roomLink(bob.page, quiet).click();
  await expect(bob.page.getByRole("heading", { level: 1, name: quiet })).toBeVisible();
  await expect(roomLink(bob.page, busy)).not.toHaveAccessibleName(/unread/);

  // Bob's laptop: the same person in another browser.
  const laptop = await bob.context.browser()!.newContext({ baseURL: new URL(bob.page.url()).origin });
  try {
    await signInViaApi(laptop.request, bob.username, bob.password);
    const laptopPage = await laptop.newPage();
    await openApp(laptopPage);

    await openApp(alice.page, `/r/${busyId}`);
    await sendMessage(alice.page, "Deploy is green");
    await expect(roomLink(bob.page, busy)).toHaveAccessibleName(/1 unread/);
    await expect(roomLink(bob.page, busy)).not.toHaveAccessibleName(/mention/);
    await expect(bob.page).toHaveTitle(/^\(1\) /);

    await sendMessage(alice.page, `@${bob.username} can you check the logs?`);
    await expect(roomLink(bob.page, busy)).toHaveAccessibleName(/2 unread, 1 mention/);
    await expect(roomLink(laptopPage, busy)).toHaveAccessibleName(/2 unread, 1 mention/);
    await expect(laptopPage).toHaveTitle("(2) Chat");
    // Rooms with activity come first.
    await expect(roomsNav(bob.page).getByRole("link").first()).toHaveAccessibleName(new RegExp(`^${busy}`));

    // Opening the room on the phone: "New messages" above the first unread one, the mention highlighted.
    await roomLink(bob.page, busy).click();
    const log = messageLog(bob.page);
    await expect(log.getByRole("separator", { name: "New messages" })).toBeVisible();
    await expect(messageArticle(bob.page, "can you check the logs?")).toHaveAttribute("data-mention", "");
    await expect(messageArticle(bob.page, "Deploy is green")).not.toHaveAttribute("data-mention", "");
    const order = await log
      .locator('[role="separator"][aria-label="New messages"], article')
      .evaluateAll((els) => els.map((el) => (el.tagName === "ARTICLE" ? el.textContent : "NEW")));
    expect(order.indexOf("NEW")).toBe(order.findIndex((text) => text?.includes("Deploy is green")) - 1);
    await expect(log.getByRole("separator", { name: "Today" })).toBeVisible();

    // … and read on the laptop too, without touching it.
    await expect(roomLink(laptopPage, busy)).not.toHaveAccessibleName(/unread/);
    await expect(laptopPage).toHaveTitle("Chat");
    await expect(roomLink(bob.page, busy)).not.toHaveAccessibleName(/unread/);

    // The mention stays in Bob's list of mentions, which leads back to the room.
    await roomLink(laptopPage, quiet).click();
    await laptopPage.getByRole("button", { name: "Mentions", exact: true }).click();
    const mentions = laptopPage.getByRole("dialog", { name: "Mentions" });
    const mention = mentions.getByRole("link", { name: /can you check the logs\?/ });
    await expect(mention).toContainText(alice.username);
    await expect(mention).toContainText(`#${busy}`);
    // The mention in the preview is a chip, as in the room.
    await expect(mention.locator(".mention")).toHaveText(`@${bob.username}`);
    await mention.click();
    await expect(mentions).toBeHidden();
    await expect(laptopPage.getByRole("heading", { level: 1, name: busy })).toBeVisible();

    // A mention in a direct message says so (not "alice in alice").
    await openApp(alice.page, `/dm/${bob.username}`);
    await sendMessage(alice.page, `@${bob.username} a word in private`);
    await laptopPage.getByRole("button", { name: "Mentions", exact: true }).click();
    const private_ = mentions.getByRole("link", { name: /a word in private/ });
    await expect(private_).toContainText(`${alice.username} in a direct message`);
    await expect(private_).not.toContainText(`in ${alice.username}`);
    await private_.click();
    await expect(laptopPage).toHaveURL(new RegExp(`/dm/${alice.username}$`));
  } finally {
    await laptop.close();
  }
});

test("coming back to the window on an open room marks it read on every device", async ({ person }) => {
  const alice = await person("alice");
  const bob = await person("bob");
  // Headless Chromium gives every page the focus: here `hasFocus()` answers what the test says, and
  // the window's focus and blur events fire when it changes.
  await bob.page.addInitScript(`
    let focused = true;
    document.hasFocus = () => focused;
    window.setFocused = (next) => {
      focused = next;
      window.dispatchEvent(new Event(next ? "focus" : "blur"));
    };
  `);
  const name = uniqueName("Standup");
  const roomId = await createRoomViaApi(alice.context.request, name);
  await joinRoomViaApi(bob.context.request, roomId);
  await openApp(bob.page, `/r/${roomId}`);
  await expect(bob.page.getByRole("heading", { level: 1, name })).toBeVisible();
  const laptop = await bob.context.browser()!.newContext({ baseURL: new URL(bob.page.url()).origin });
  try {
    await signInViaApi(laptop.request, bob.username, bob.password);
    const laptopPage = await laptop.newPage();
    await openApp(laptopPage);
    await openApp(alice.page, `/r/${roomId}`);

    // The room stays open on Bob's desktop while he works in another window: nothing is read.
    await bob.page.evaluate("window.setFocused(false)");
    await sendMessage(alice.page, "Standup moved to 10:15");
    await expect(messageArticle(bob.page, "Standup moved to 10:15")).toBeVisible();
    await expect(roomLink(laptopPage, name)).toHaveAccessibleName(/1 unread/);
    await expect(roomLink(bob.page, name)).toHaveAccessibleName(/1 unread/);

    // He clicks back into the window: read there, and on the laptop without touching it.
    await bob.page.evaluate("window.setFocused(true)");
    await expect(roomLink(bob.page, name)).not.toHaveAccessibleName(/unread/);
    await expect(roomLink(laptopPage, name)).not.toHaveAccessibleName(/unread/);
    await expect(laptopPage).toHaveTitle("Chat");
  } finally {
    await laptop.close();
  }
});

test("a private room: invisible to others, and a mention with the typeahead brings someone in (once asked)", async ({
  person,
}) => {
  const alice = await person("alice");
  const carol = await person("carol");
  const secret = uniqueName("Secret");
  await openApp(carol.page);
  await openApp(alice.page);

  await alice.page.getByRole("button", { name: "New room" }).click();
  const dialog = alice.page.getByRole("dialog", { name: "New room" });
  await dialog.getByRole("textbox", { name: "Room name" }).fill(secret);
  await dialog.getByRole("checkbox", { name: "Private" }).check();
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(alice.page.getByRole("heading", { level: 1, name: secret })).toBeVisible();
  const roomUrl = new URL(alice.page.url()).pathname;
  // A private room is not a "#" room, in the box's hint either.
  await expect(messageBox(alice.page)).toHaveAttribute("placeholder", `Message ${secret}`);

  // Carol sees nothing of it, and its address refuses her.
  await expect(roomLink(alice.page, secret)).toBeVisible();
  await expect(roomLink(carol.page, secret)).toHaveCount(0);
  await sendMessage(alice.page, "Only for the inner circle");
  const peek = await carol.context.newPage();
  await peek.goto(roomUrl);
  await expect(peek.getByRole("alert")).toContainText(/access/i);
  await expect(peek.getByText("Only for the inner circle")).toHaveCount(0);
  await peek.close();

  // "@" + the start of her name, arrows and Enter pick carol from the typeahead.
  const box = messageBox(alice.page);
  await box.fill("");
  // Enough of her name to be unique (other carols may exist), short of the whole of it.
  const start = carol.username.slice(0, -2);
  await box.pressSequentially(`Welcome @${start}`);
  const suggestions = alice.page.getByRole("listbox", { name: "Mention suggestions" });
  await expect(suggestions.getByRole("option", { name: `@${carol.username}` })).toBeVisible();
  await box.press("Escape");
  await expect(suggestions).toBeHidden();
  await box.pressSequentially(carol.username.slice(-2, -1));
  await expect(suggestions).toBeHidden(); // dismissed for this mention
  await box.fill("");
  await box.pressSequentially(`Welcome @${start}`);
  await expect(suggestions.getByRole("option", { selected: true })).toHaveText(`@${carol.username}`);
  await box.press("ArrowDown");
  await box.press("ArrowUp");
  await box.press("Enter");
  await expect(box).toHaveValue(`Welcome @${carol.username} `);
  await box.pressSequentially("to the room");
  await box.press("Enter");
  // She is not in this private room: the app asks before the message goes (joining.spec.ts has more).
  const ask = alice.page.getByRole("dialog", { name: "Add to this private room?" });
  await ask.getByRole("button", { name: "Add", exact: true }).click();
  await expect(ask).toBeHidden();

  await expect(
    messageLog(alice.page)
      .getByRole("article")
      .filter({ hasText: `${alice.username} added ${carol.username}` }),
  ).toBeVisible();
  await expect(roomLink(carol.page, secret)).toHaveAccessibleName(/1 unread, 1 mention/);
  await roomLink(carol.page, secret).click();
  await expect(messageArticle(carol.page, "to the room")).toHaveAttribute("data-mention", "");
  await expect(messageArticle(carol.page, "Only for the inner circle")).toBeVisible();

  // "Add people" from the room header works too.
  const dave = await person("dave");
  await alice.page.getByRole("button", { name: "Add people" }).click();
  const add = alice.page.getByRole("dialog", { name: "Add people" });
  // A text box with the people to pick from (a datalist): a combobox.
  await add.getByRole("combobox", { name: "Username" }).fill(dave.username);
  await add.getByRole("button", { name: "Add" }).click();
  await expect(add).toBeHidden();
  await expect(messageArticle(alice.page, `${alice.username} added ${dave.username}`)).toBeVisible();
  await openApp(dave.page);
  await expect(roomLink(dave.page, secret)).toBeVisible();
});

test("the creator renames and archives a room; archived rooms leave the nav and stay readable", async ({
  person,
}) => {
  const alice = await person("alice");
  const name = uniqueName("Plans");
  const roomId = await createRoomViaApi(alice.context.request, name);
  await openApp(alice.page, `/r/${roomId}`);
  await sendMessage(alice.page, "Kickoff notes");
  await alice.page.getByRole("button", { name: "Room settings" }).click();
  const settings = alice.page.getByRole("dialog", { name: "Room settings" });
  await settings.getByRole("textbox", { name: "Room name" }).fill(`${name} 2`);
  await settings.getByRole("textbox", { name: "Topic" }).fill("Where we plan");
  await settings.getByRole("button", { name: "Save" }).click();
  await expect(alice.page.getByRole("heading", { level: 1, name: `${name} 2` })).toBeVisible();
  await expect(alice.page.getByText("Where we plan")).toBeVisible();
  await expect(roomLink(alice.page, `${name} 2`)).toBeVisible();
  await expect(messageArticle(alice.page, `${alice.username} renamed the room to ${name} 2`)).toBeVisible();

  await alice.page.getByRole("button", { name: "Room settings" }).click();
  await settings.getByRole("button", { name: "Archive room" }).click();
  await expect(roomLink(alice.page, `${name} 2`)).toHaveCount(0);
  await expect(alice.page.getByRole("note")).toContainText("archived");
  await expect(messageArticle(alice.page, "Kickoff notes")).toBeVisible();
  await expect(messageBox(alice.page)).toHaveCount(0);

  // It waits in the nav's collapsed "Archived" group, the way back to it.
  await openApp(alice.page, "/");
  const archived = alice.page.getByRole("navigation", { name: "Archived", exact: true });
  await expect(archived).toBeHidden();
  await alice.page.getByText(/^Archived \(\d+\)$/).click();
  await archived.getByRole("link", { name: `${name} 2` }).click();
  await expect(alice.page.getByRole("heading", { level: 1, name: `${name} 2` })).toBeVisible();
  await expect(messageArticle(alice.page, "Kickoff notes")).toBeVisible();
});

test("edit and delete one's own messages, never someone else's", async ({ person }) => {
  const alice = await person("alice");
  const bob = await person("bob");
  const roomId = await createRoomViaApi(alice.context.request, uniqueName("Edits"));
  await joinRoomViaApi(bob.context.request, roomId);
  await openApp(alice.page, `/r/${roomId}`);
  await openApp(bob.page, `/r/${roomId}`);
  await sendMessage(alice.page, "The meeting is at 10");
  await sendMessage(alice.page, "Ignore this one");
  await sendMessage(bob.page, "Noted");

  const first = messageArticle(alice.page, "The meeting is at 10");
  await first.hover();
  await first.getByRole("button", { name: "Edit message" }).click();
  const editor = messageLog(alice.page).getByRole("textbox", { name: "Edit message" });
  await expect(editor).toHaveValue("The meeting is at 10");
  await editor.fill("The meeting is at 11");
  await editor.press("Enter");
  await expect(messageArticle(bob.page, "The meeting is at 11")).toContainText("(edited)");
  await expect(messageArticle(bob.page, "The meeting is at 10")).toHaveCount(0);

  const second = messageArticle(alice.page, "Ignore this one");
  await second.hover();
  await second.getByRole("button", { name: "Delete message" }).click();
  await second.getByRole("button", { name: "Delete", exact: true }).click();
  await expect(messageLog(bob.page).getByText("message deleted")).toBeVisible();
  await expect(messageArticle(bob.page, "Ignore this one")).toHaveCount(0);

  // Bob has no way to change Alice's messages; his own he can.
  await expect(
    messageArticle(bob.page, "The meeting is at 11").getByRole("button", { name: "Edit message" }),
  ).toHaveCount(0);
  await messageArticle(bob.page, "Noted").hover();
  await expect(messageArticle(bob.page, "Noted").getByRole("button", { name: "Edit message" })).toBeVisible();
  // And it survives a reload.
  await bob.page.reload();
  await expect(messageArticle(bob.page, "The meeting is at 11")).toContainText("(edited)");
});

test("in a DM: typing shows and goes, ✓ Sent then ✓✓ Read once the other person opens it", async ({
  person,
}) => {
  const alice = await person("alice");
  const bob = await person("bob");
  await openApp(bob.page);
  await openApp(alice.page, `/dm/${bob.username}`);
  await expect(alice.page.getByRole("heading", { level: 1, name: bob.username })).toBeVisible();
  await sendMessage(alice.page, "Got a minute?");
  const mine = messageArticle(alice.page, "Got a minute?");
  await expect(mine.getByRole("img", { name: "Sent" })).toBeVisible();
  await expect(dmLink(bob.page, alice.username)).toHaveAccessibleName(/1 unread/);
  await expect(dmLink(alice.page, bob.username)).toHaveAccessibleName(/online/);

  await dmLink(bob.page, alice.username).click();
  await expect(mine.getByRole("img", { name: "Read" })).toBeVisible();

  await messageBox(bob.page).pressSequentially("Sure, what");
  const typing = alice.page.getByRole("status", { name: "Typing" });
  await expect(typing).toHaveText(`${bob.username} is typing…`);
  await messageBox(bob.page).press("Enter");
  await expect(typing).toHaveText("");
  await expect(messageArticle(alice.page, "Sure, what")).toBeVisible();
  // Stopping without sending: gone after three idle seconds.
  await messageBox(bob.page).pressSequentially("hm");
  await expect(typing).toHaveText(`${bob.username} is typing…`);
  await expect(typing).toHaveText("", { timeout: 8_000 });
});

test("on a narrow screen the nav with its counts opens from Toggle navigation", async ({ person }) => {
  const alice = await person("alice");
  const bob = await person("bob", { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const name = uniqueName("Phone");
  const roomId = await createRoomViaApi(alice.context.request, name);
  await joinRoomViaApi(bob.context.request, roomId);
  await openApp(bob.page, `/r/${roomId}`);
  await expect(bob.page.getByRole("heading", { level: 1, name })).toBeVisible();
  await bob.page.goto("/");
  await openApp(alice.page, `/r/${roomId}`);
  await sendMessage(alice.page, `@${bob.username} ping`);
  const toggle = bob.page.getByRole("button", { name: "Toggle navigation" });
  await expect(bob.page).toHaveTitle("(1) Chat");
  await expect(roomsNav(bob.page)).toBeHidden();
  // With the nav closed, the button itself says a message arrived.
  await expect(toggle).toHaveAccessibleDescription("1 unread");
  await expect(toggle).toContainText("1");
  await toggle.click();
  await expect(roomLink(bob.page, name)).toHaveAccessibleName(/1 unread, 1 mention/);
  await expect(roomLink(bob.page, name)).toBeInViewport();
  await roomLink(bob.page, name).click();
  await expect(roomsNav(bob.page)).toBeHidden();
  await expect(messageArticle(bob.page, "ping")).toHaveAttribute("data-mention", "");
  await toggle.click();
  await expect(roomLink(bob.page, name)).not.toHaveAccessibleName(/unread/);
  await expect(toggle).toHaveAccessibleDescription("");
});
