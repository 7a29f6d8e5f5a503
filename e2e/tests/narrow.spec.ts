import {
  createRoomViaApi,
  expect,
  expectOnline,
  installApp,
  messageArticle,
  roomsNav,
  sendMessage,
  test,
  uniqueName,
} from "./support.ts";

test("on a narrow screen, Toggle navigation opens and closes the nav", async ({ person }) => {
  const alice = await person("alice", {
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
  });
  const roomName = uniqueName("Mobile");
  const roomId = await createRoomViaApi(alice.context.request, roomName);
  const { page } = alice;

  // In a room on a phone the conversation has the screen; the nav is closed (and hidden from assistive tech).
  await page.goto(`/r/${roomId}`);
  await expect(page.getByRole("heading", { level: 1, name: roomName })).toBeVisible();
  const toggle = page.getByRole("button", { name: "Toggle navigation" });
  await expect(toggle).toBeVisible();
  await expect(roomsNav(page)).toBeHidden();
  await expect(toggle).toHaveAttribute("aria-expanded", "false");

  await toggle.click();
  await expect(roomsNav(page)).toBeVisible();
  await expect(roomsNav(page).getByRole("link", { name: roomName })).toBeInViewport();
  await expect(toggle).toHaveAttribute("aria-expanded", "true");

  await toggle.click();
  await expect(roomsNav(page)).toBeHidden();
  await expect(toggle).toHaveAttribute("aria-expanded", "false");
});

test("on a phone nothing is wider than the screen: online, offline with changes pending, searching", async ({
  person,
}) => {
  const alice = await person("alice", {
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
  });
  // A long room name: the title ellipsizes, the room's buttons stay on screen.
  const roomName = uniqueName("Quarterly-planning-for-the-whole-operations-team");
  const roomId = await createRoomViaApi(alice.context.request, roomName);
  const { page } = alice;
  // A phone browser widens the layout to fit anything too wide (and then the page pans sideways).
  const layoutWidth = () => page.evaluate(() => [window.innerWidth, document.documentElement.scrollWidth]);

  await installApp(alice, `/r/${roomId}`);
  await expectOnline(page);
  await sendMessage(page, "A message from the platform");
  await expect(messageArticle(page, "A message from the platform")).toContainText("✓");
  expect(await layoutWidth()).toEqual([390, 390]);
  for (const name of [
    "Members",
    "Add people",
    "Room settings",
    "Invite people",
    "Settings",
    "Sign out",
    "Send",
  ])
    await expect(page.getByRole("button", { name, exact: true })).toBeInViewport({ ratio: 1 });

  await alice.context.setOffline(true);
  const connection = page.getByRole("status", { name: "Connection" });
  await expect(connection).toContainText("Offline");
  await sendMessage(page, "Written in the tunnel");
  await expect(connection).toContainText("1 pending");
  await expect(connection).toBeInViewport({ ratio: 1 });
  expect(await layoutWidth()).toEqual([390, 390]);
  await expect(page.getByRole("button", { name: "Send" })).toBeInViewport({ ratio: 1 });

  // The search field opens over the bar to type in, and finds the message.
  const search = page.getByRole("searchbox", { name: "Search messages" });
  await search.click();
  expect((await search.boundingBox())!.width).toBeGreaterThan(250);
  await search.fill("platform");
  const results = page.getByRole("region", { name: "Search results" });
  await expect(results.getByRole("link", { name: /A message from the platform/ })).toBeVisible();
  expect(await layoutWidth()).toEqual([390, 390]);
});
