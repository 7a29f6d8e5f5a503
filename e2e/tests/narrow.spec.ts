import { createRoomViaApi, expect, roomsNav, test, uniqueName } from "./support.ts";

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
