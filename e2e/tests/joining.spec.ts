import {
  createRoomViaApi,
  expect,
  expectOnline,
  messageArticle,
  messageBox,
  openApp,
  roomLink,
  sendMessage,
  test,
  uniqueName,
} from "./support.ts";

/**
 * Joining on purpose (issue 20): a public room one is not in opens as a preview (its history and
 * "Join room", no composer, not among one's rooms) and is joined only by pressing the button; a
 * mention of someone outside a private room asks before adding them.
 */

test("a public room opens as a preview; Join room makes bob a member, with a composer and the room in his nav", async ({
  person,
}) => {
  const alice = await person("alice");
  const bob = await person("bob");
  const name = uniqueName("Lobby");
  const roomId = await createRoomViaApi(alice.context.request, name);
  await openApp(alice.page, `/r/${roomId}`);
  await expectOnline(alice.page);
  await sendMessage(alice.page, "history bob can read before joining");
  await expect(messageArticle(alice.page, "history bob can read before joining")).not.toContainText(
    "Pending",
  );

  await openApp(bob.page, `/r/${roomId}`);
  await expect(bob.page.getByRole("heading", { level: 1, name })).toBeVisible();
  await expect(messageArticle(bob.page, "history bob can read before joining")).toBeVisible();
  const join = bob.page.getByRole("button", { name: "Join room" });
  await expect(join).toBeVisible();
  await expect(messageBox(bob.page)).toHaveCount(0);
  // Nothing is unread for someone who is not in the room.
  await expect(bob.page.getByRole("separator", { name: "New messages" })).toHaveCount(0);
  // Listed among the public rooms he may browse, as one he has not joined.
  await expect(roomLink(bob.page, name)).toHaveAccessibleName(/, not joined/);
  // Looking joined nothing: alice's Members dialog lists her alone.
  await alice.page.getByRole("button", { name: "Members" }).click();
  const members = alice.page.getByRole("dialog", { name: "Members" });
  await expect(members.getByRole("listitem")).toHaveCount(1);
  await alice.page.keyboard.press("Escape");

  // His own Members dialog lists alice and offers no "Leave room": he is not in it.
  await bob.page.getByRole("button", { name: "Members" }).click();
  const bobsMembers = bob.page.getByRole("dialog", { name: "Members" });
  await expect(bobsMembers.getByRole("listitem")).toHaveCount(1);
  await expect(bobsMembers.getByRole("button", { name: "Leave room" })).toHaveCount(0);
  await bob.page.keyboard.press("Escape");
  await expect(bobsMembers).toBeHidden();

  await join.click();
  await expect(messageBox(bob.page)).toBeVisible();
  await expect(join).toHaveCount(0);
  await expect(roomLink(bob.page, name)).not.toHaveAccessibleName(/not joined/);
  // The reopened copy is writable: his message is numbered (no "Pending") and reaches alice.
  await sendMessage(bob.page, "hello from bob, now a member");
  await expect(messageArticle(bob.page, "hello from bob, now a member")).not.toContainText("Pending");
  await expect(messageArticle(alice.page, "hello from bob, now a member")).toBeVisible();
  await alice.page.getByRole("button", { name: "Members" }).click();
  await expect(members.getByRole("listitem").filter({ hasText: `@${bob.username}` })).toHaveCount(1);
  await expect(members.getByRole("listitem")).toHaveCount(2);
});

test("mentioning someone outside a private room asks first: Send without adding, then Add", async ({
  person,
}) => {
  const alice = await person("alice");
  const carol = await person("carol");
  const name = uniqueName("Hush");
  const created = await alice.context.request.post("/api/rooms", { data: { name, private: true } });
  expect(created.status()).toBe(201);
  const roomId = ((await created.json()) as { room: { id: string } }).room.id;
  await openApp(alice.page, `/r/${roomId}`);
  await expectOnline(alice.page);
  await expect(messageBox(alice.page)).toBeVisible();

  const question = `${carol.username} is not in this private room. Add them? They will see its history.`;
  const prompt = alice.page.getByRole("dialog", { name: "Add to this private room?" });
  await sendMessage(alice.page, `draft for @${carol.username} only`);
  await expect(prompt).toContainText(question);
  await prompt.getByRole("button", { name: "Send without adding" }).click();
  await expect(prompt).toBeHidden();
  await expect(messageArticle(alice.page, "draft for")).not.toContainText("Pending");
  // The server added nobody: the Members dialog lists alice alone, and carol's API refuses the room.
  await alice.page.getByRole("button", { name: "Members" }).click();
  const members = alice.page.getByRole("dialog", { name: "Members" });
  await expect(members.getByRole("listitem")).toHaveCount(1);
  await alice.page.keyboard.press("Escape");
  expect((await carol.context.request.post(`/api/rooms/${roomId}/leave`)).status()).toBe(404);

  await sendMessage(alice.page, `@${carol.username} please join us`);
  await expect(prompt).toContainText(question);
  await prompt.getByRole("button", { name: "Add", exact: true }).click();
  await expect(prompt).toBeHidden();
  await expect(messageArticle(alice.page, `${alice.username} added ${carol.username}`)).toBeVisible();
  await expect(messageArticle(alice.page, "please join us")).not.toContainText("Pending");
  // Carol has it now, with the mention.
  await openApp(carol.page, `/r/${roomId}`);
  await expect(messageArticle(carol.page, "please join us")).toBeVisible();
  await expect(messageBox(carol.page)).toBeVisible();
  // Once she is in, mentioning her asks nothing.
  await sendMessage(alice.page, `@${carol.username} thanks for coming`);
  await expect(messageArticle(alice.page, "thanks for coming")).toBeVisible();
  await expect(prompt).toHaveCount(0);
});
