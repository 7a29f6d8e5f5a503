import {
  expect,
  expectOnline,
  installApp,
  messageArticle,
  messageBox,
  openApp,
  roomLink,
  sessionUserId,
  test,
  uniqueName,
} from "./support.ts";

/**
 * The "Members" dialog of issue 20: who is in a room, removing someone (the room's creator), leaving,
 * and what the person taken out sees in a tab that has the room open: the server closes their copy
 * (`membership-ended`), the app does not open it again, the room says so and leaves their nav.
 */

test("members: the list, removing someone with the room open, leaving, and the last member's refusal", async ({
  person,
}) => {
  const alice = await person("alice");
  const bob = await person("bob");
  const carol = await person("carol");
  const name = uniqueName("Inner");
  const created = await alice.context.request.post("/api/rooms", { data: { name, private: true } });
  expect(created.status()).toBe(201);
  const roomId = ((await created.json()) as { room: { id: string } }).room.id;
  for (const who of [bob, carol]) {
    const added = await alice.context.request.post(`/api/rooms/${roomId}/members`, {
      data: { username: who.username },
    });
    expect(added.status()).toBe(201);
  }
  const carolId = await sessionUserId(carol.page);

  await openApp(alice.page, `/r/${roomId}`);
  await openApp(bob.page, `/r/${roomId}`);
  // Installed (service worker), so that her tab reloads offline, from the device alone.
  await installApp(carol, `/r/${roomId}`);
  for (const who of [alice, bob, carol]) {
    await expect(who.page.getByRole("heading", { level: 1, name })).toBeVisible();
    await expectOnline(who.page);
  }

  // Bob sees the three of them; he did not create the room, so he may remove nobody.
  await bob.page.getByRole("button", { name: "Members" }).click();
  const bobsMembers = bob.page.getByRole("dialog", { name: "Members" });
  await expect(bobsMembers.getByRole("listitem")).toHaveCount(3);
  for (const who of [alice, bob, carol])
    await expect(bobsMembers.getByRole("listitem").filter({ hasText: `@${who.username}` })).toHaveCount(1);
  // Everyone here has the app open: each shows online.
  await expect(bobsMembers.getByRole("listitem").filter({ hasText: "online" })).toHaveCount(3);
  await expect(bobsMembers.getByRole("button", { name: /^Remove / })).toHaveCount(0);
  await expect(bobsMembers.getByRole("button", { name: "Leave room" })).toBeVisible();
  await bob.page.keyboard.press("Escape");
  await expect(bobsMembers).toBeHidden();

  // Alice created it: she can remove the others, not herself.
  await alice.page.getByRole("button", { name: "Members" }).click();
  const alicesMembers = alice.page.getByRole("dialog", { name: "Members" });
  await expect(alicesMembers.getByRole("button", { name: `Remove ${bob.username}` })).toBeVisible();
  await expect(alicesMembers.getByRole("button", { name: `Remove ${alice.username}` })).toHaveCount(0);
  await alicesMembers.getByRole("button", { name: `Remove ${carol.username}` }).click();
  await expect(alicesMembers.getByRole("listitem")).toHaveCount(2);
  await alice.page.keyboard.press("Escape");
  await expect(messageArticle(alice.page, `${alice.username} removed ${carol.username}`)).toBeVisible();

  // Carol's open tab: the room says she is out, takes no more messages, and leaves her nav.
  await expect(carol.page.getByRole("alert")).toContainText(
    `You were removed from this room by ${alice.username}.`,
  );
  await expect(messageBox(carol.page)).toHaveCount(0);
  await expect(carol.page.getByRole("button", { name: "Members" })).toHaveCount(0);
  await expect(roomLink(carol.page, name)).toHaveCount(0);
  // And her access is gone, for the API too.
  const poke = await carol.context.request.delete(`/api/rooms/${roomId}/members/${carolId}`);
  expect(poke.status()).toBe(404);
  // Nothing of it stays on her device: reloaded offline (from the device alone, which drew the room's
  // messages before), its address shows none; back online, the server refuses it.
  await carol.context.setOffline(true);
  await carol.page.reload();
  await expect(carol.page.getByRole("button", { name: "Sign out" })).toBeVisible();
  await expect(carol.page.getByRole("status", { name: "Connection" })).toContainText("Offline");
  await expect(carol.page.getByText(`${alice.username} added ${bob.username}`)).toHaveCount(0);
  await carol.context.setOffline(false);
  await expect(carol.page.getByRole("alert")).toContainText(/access/i);

  // Bob leaves: a private room asks first; then he is taken home and the room leaves his nav.
  await bob.page.getByRole("button", { name: "Members" }).click();
  await bobsMembers.getByRole("button", { name: "Leave room" }).click();
  await expect(bobsMembers).toContainText("only someone in it can add you back");
  await bobsMembers.getByRole("button", { name: "Leave", exact: true }).click();
  await expect(bobsMembers).toBeHidden();
  await expect(bob.page).toHaveURL(/\/$/);
  await expect(roomLink(bob.page, name)).toHaveCount(0);
  await expect(messageArticle(alice.page, `${bob.username} left`)).toBeVisible();

  // Alice is the last one in: leaving is refused with the server's sentence, and nothing changes.
  await alice.page.getByRole("button", { name: "Members" }).click();
  await expect(alicesMembers.getByRole("listitem")).toHaveCount(1);
  await alicesMembers.getByRole("button", { name: "Leave room" }).click();
  await alicesMembers.getByRole("button", { name: "Leave", exact: true }).click();
  await expect(alicesMembers.getByRole("alert")).toHaveText(
    "You are the last person in this private room: archive it instead, or add someone first.",
  );
  await expect(alicesMembers.getByRole("listitem")).toHaveCount(1);
  await alice.page.keyboard.press("Escape");
  await expect(roomLink(alice.page, name)).toBeVisible();
  await expect(messageBox(alice.page)).toBeVisible();
});

test("members on a phone: the dialog fits the screen, and removing works from it", async ({ person }) => {
  const alice = await person("alice", {
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
  });
  const bob = await person("bob");
  const name = uniqueName("A-rather-long-room-name-for-a-phone");
  const created = await alice.context.request.post("/api/rooms", { data: { name } });
  const roomId = ((await created.json()) as { room: { id: string } }).room.id;
  const added = await alice.context.request.post(`/api/rooms/${roomId}/members`, {
    data: { username: bob.username },
  });
  expect(added.status()).toBe(201);
  await openApp(alice.page, `/r/${roomId}`);
  await alice.page.getByRole("button", { name: "Members" }).click();
  const members = alice.page.getByRole("dialog", { name: "Members" });
  await expect(members.getByRole("listitem")).toHaveCount(2);
  for (const button of [`Remove ${bob.username}`, "Leave room", "Close"])
    await expect(members.getByRole("button", { name: button, exact: true })).toBeInViewport({ ratio: 1 });
  expect(await alice.page.evaluate(() => [window.innerWidth, document.documentElement.scrollWidth])).toEqual([
    390, 390,
  ]);
  await members.getByRole("button", { name: `Remove ${bob.username}` }).click();
  await expect(members.getByRole("listitem")).toHaveCount(1);
  await members.getByRole("button", { name: "Close" }).click();
  await expect(members).toBeHidden();
  await expect(messageArticle(alice.page, `${alice.username} removed ${bob.username}`)).toBeVisible();
});
