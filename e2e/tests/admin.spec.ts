import type { Locator, Page } from "@playwright/test";
import {
  createRoomViaApi,
  expect,
  expectOnline,
  messageArticle,
  messageLog,
  openApp,
  sendMessage,
  signInViaApi,
  test,
} from "./support.ts";

/**
 * Issue 21, "the admin runs the workspace": Settings → People. The admin deactivates a person whose
 * open tab is signed out at once; a password-reset link works once; the admin removes a message.
 */
const admin = process.env.E2E_ADMIN
  ? (JSON.parse(process.env.E2E_ADMIN) as { username: string; password: string })
  : null;

/** With SCREENSHOT_DIR set, saves the page at 1280×800 and 390×844; otherwise does nothing. */
async function shoot(page: Page, name: string, show?: Locator): Promise<void> {
  const dir = process.env.SCREENSHOT_DIR;
  if (!dir) return;
  const original = page.viewportSize();
  for (const [width, height] of [
    [1280, 800],
    [390, 844],
  ] as const) {
    await page.setViewportSize({ width, height });
    await page.waitForTimeout(150);
    await show?.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${dir}/${name}-${width}x${height}.png`, fullPage: false });
  }
  if (original) await page.setViewportSize(original);
}

async function openPeople(page: Page) {
  await page.getByRole("button", { name: "Settings", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Settings" });
  const people = dialog.getByRole("list", { name: "People" });
  await expect(people).toBeVisible();
  return { dialog, people };
}

test.describe("the admin runs the workspace", () => {
  test.skip(!admin, "needs the workspace admin from global-setup.ts (a fresh workspace)");

  test("the admin deactivates a person: their open tab is signed out, sign-in is refused, their name shows (deactivated), their messages stay", async ({
    person,
  }) => {
    const boss = await person("boss", { signUp: false });
    await signInViaApi(boss.page.request, admin!.username, admin!.password);
    const carol = await person("carol");
    const roomName = `Ops ${carol.username.slice(-4)}`;
    const roomId = await createRoomViaApi(carol.page.request, roomName);
    await boss.page.request.post(`/api/rooms/${roomId}/join`);

    await openApp(carol.page, `/r/${roomId}`);
    await expectOnline(carol.page);
    await sendMessage(carol.page, "handing over the on-call phone");
    await expect(messageArticle(carol.page, "handing over the on-call phone")).toContainText("✓");

    await openApp(boss.page, `/r/${roomId}`);
    const { dialog, people } = await openPeople(boss.page);
    await expect(people.getByRole("listitem").filter({ hasText: `@${carol.username}` })).toContainText(
      "Member",
    );
    await shoot(boss.page, "settings-people", people);
    await dialog.getByRole("button", { name: `Deactivate ${carol.username}` }).click();
    await expect(
      dialog.getByRole("status").filter({ hasText: `${carol.username} is deactivated` }),
    ).toBeVisible();
    await expect(people.getByRole("listitem").filter({ hasText: `@${carol.username}` })).toContainText(
      `${carol.username} (deactivated)`,
    );
    await expect(dialog.getByRole("button", { name: `Reactivate ${carol.username}` })).toBeVisible();

    // Carol's open tab is signed out at once (her socket was closed by the server), and says why.
    await expect(carol.page).toHaveURL(/\/login/);
    await expect(
      carol.page.getByRole("status").filter({ hasText: /deactivated your account/ }),
    ).toBeVisible();
    await carol.page.getByRole("textbox", { name: "Username" }).fill(carol.username);
    await carol.page.getByLabel("Password", { exact: true }).fill(carol.password);
    await carol.page.getByRole("button", { name: "Sign in" }).click();
    await expect(carol.page.getByRole("alert")).toContainText("deactivated");
    await expect(carol.page).toHaveURL(/\/login/);
    // Her old cookie is refused too.
    expect(await (await carol.page.request.get("/api/session")).json()).toMatchObject({ user: null });

    // Her message stays, under "carol (deactivated)".
    await dialog.getByRole("button", { name: "Close" }).click();
    const message = messageArticle(boss.page, "handing over the on-call phone");
    await expect(message).toBeVisible();
    await expect(message).toContainText(`${carol.username} (deactivated)`);

    // The audit log says who did it.
    const again = await openPeople(boss.page);
    await again.dialog.getByText("Audit log").click();
    await expect(
      again.dialog
        .getByRole("list", { name: "Audit log" })
        .getByText(`${admin!.username} deactivated ${carol.username}`),
    ).toBeVisible();
    await shoot(boss.page, "settings-audit", again.dialog.getByRole("list", { name: "Audit log" }));
    await boss.page.emulateMedia({ colorScheme: "dark" });
    await shoot(boss.page, "settings-audit-dark", again.people);
    await boss.page.emulateMedia({ colorScheme: "light" });
    await again.dialog.getByRole("button", { name: `Reactivate ${carol.username}` }).click();
    await expect(again.dialog.getByRole("button", { name: `Deactivate ${carol.username}` })).toBeVisible();
  });

  test("a reset link works once", async ({ person }) => {
    const boss = await person("boss", { signUp: false });
    await signInViaApi(boss.page.request, admin!.username, admin!.password);
    const dave = await person("dave");
    await openApp(dave.page);
    await expectOnline(dave.page);

    await openApp(boss.page);
    const { dialog } = await openPeople(boss.page);
    await dialog.getByRole("button", { name: `Reset password for ${dave.username}` }).click();
    const linkBox = dialog.getByRole("textbox", { name: `Reset link for ${dave.username}` });
    await expect(linkBox).toHaveValue(/\/reset\/[A-Za-z0-9_-]{43}$/);
    const link = await linkBox.inputValue();
    await shoot(boss.page, "settings-reset-link", linkBox);

    // Someone holding the link (in a browser signed in to nothing) sets a new password.
    const holder = await person("holder", { signUp: false });
    await holder.page.goto(link);
    await expect(holder.page.getByRole("heading", { name: "Reset your password" })).toBeVisible();
    await expect(holder.page.getByText(dave.username)).toBeVisible();
    await holder.page.getByLabel("New password").fill("short");
    await holder.page.getByRole("button", { name: "Set password" }).click();
    await expect(holder.page.getByRole("alert")).toBeVisible();
    await shoot(holder.page, "reset-page");
    const newPassword = `new-${dave.password}`;
    await holder.page.getByLabel("New password").fill(newPassword);
    await holder.page.getByRole("button", { name: "Set password" }).click();
    await expect(holder.page.getByRole("status")).toContainText("is set");

    // Every session of dave was signed out: his open tab goes to sign-in.
    await expect(dave.page).toHaveURL(/\/login/, { timeout: 15_000 });
    await dave.page.getByRole("textbox", { name: "Username" }).fill(dave.username);
    await dave.page.getByLabel("Password", { exact: true }).fill(newPassword);
    await dave.page.getByRole("button", { name: "Sign in" }).click();
    await expect(dave.page.getByRole("button", { name: "Sign out" })).toBeVisible();

    // The link works once.
    await holder.page.goto(link);
    await expect(holder.page.getByRole("alert")).toContainText("used already");
    await expect(holder.page.getByLabel("New password")).toHaveCount(0);
  });

  test("the admin deletes someone's message: it shows as removed by an admin on every device", async ({
    person,
  }) => {
    const boss = await person("boss", { signUp: false });
    await signInViaApi(boss.page.request, admin!.username, admin!.password);
    const erin = await person("erin");
    const roomId = await createRoomViaApi(erin.page.request, `Random ${erin.username.slice(-4)}`);
    await openApp(erin.page, `/r/${roomId}`);
    await expectOnline(erin.page);
    await sendMessage(erin.page, "buy cheap watches here");
    await expect(messageArticle(erin.page, "buy cheap watches here")).toContainText("✓");

    await boss.page.request.post(`/api/rooms/${roomId}/join`);
    await openApp(boss.page, `/r/${roomId}`);
    const message = messageArticle(boss.page, "buy cheap watches here");
    await message.hover();
    await message.getByRole("button", { name: "Delete message" }).click();
    await boss.page
      .getByRole("group", { name: "Delete this message?" })
      .getByRole("button", { name: "Delete" })
      .click();
    await expect(messageLog(boss.page).getByText("message removed by an admin")).toBeVisible();
    await expect(messageLog(erin.page).getByText("message removed by an admin")).toBeVisible();
    await expect(messageLog(erin.page).getByText("buy cheap watches here")).toHaveCount(0);
    // Erin cannot edit or delete it any more.
    await expect(
      messageLog(erin.page)
        .getByRole("article")
        .filter({ hasText: "message removed by an admin" })
        .getByRole("button", {
          name: "Edit message",
        }),
    ).toHaveCount(0);
  });
});
