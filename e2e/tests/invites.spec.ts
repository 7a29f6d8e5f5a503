import type { Page } from "@playwright/test";
import { anotherDevice, expect, expectOnline, openApp, roomsNav, signInViaApi, test } from "./support.ts";

/**
 * With SCREENSHOT_DIR set, saves the page at 1280×800 and 390×844 (HELPERS.md: look at what you
 * build); otherwise does nothing.
 */
async function shoot(page: Page, name: string): Promise<void> {
  const dir = process.env.SCREENSHOT_DIR;
  if (!dir) return;
  const original = page.viewportSize();
  for (const [width, height] of [
    [1280, 800],
    [390, 844],
  ] as const) {
    await page.setViewportSize({ width, height });
    await page.waitForTimeout(150);
    await page.screenshot({ path: `${dir}/${name}-${width}x${height}.png` });
  }
  if (original) await page.setViewportSize(original);
}

const admin = process.env.E2E_ADMIN
  ? (JSON.parse(process.env.E2E_ADMIN) as { username: string; password: string })
  : null;

test.describe("invite links", () => {
  test("a member creates a single-use link; it lets one person in, then says it is used up", async ({
    person,
  }) => {
    const alice = await person("alice", { permissions: ["clipboard-read", "clipboard-write"] });
    const { page } = alice;
    // The strict CSP must not get in the app's way (its socket, its styles, its worker).
    const violations: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await openApp(page);
    await expectOnline(page);
    await page.getByRole("button", { name: "Invite people" }).click();
    const dialog = page.getByRole("dialog", { name: "Invite people" });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByText("No invite links yet.")).toBeVisible();
    await dialog.getByLabel("Can be used").selectOption({ label: "Once" });
    await dialog.getByLabel("Expires after").selectOption({ label: "1 day" });
    await dialog.getByRole("button", { name: "Create invite link" }).click();
    const linkBox = dialog.getByRole("textbox", { name: "Invite link" });
    await expect(linkBox).toHaveValue(/\/invite\/[\w-]{43}$/);
    const link = await linkBox.inputValue();
    await dialog.getByRole("button", { name: "Copy link" }).click();
    await expect(dialog.getByRole("status")).toHaveText("Copied to the clipboard.");
    expect(await page.evaluate("navigator.clipboard.readText()")).toBe(link);
    await expect(dialog.getByRole("listitem").filter({ hasText: "0 of 1 use" })).toBeVisible();
    await shoot(page, "invite-dialog");

    const newcomer = await person("newcomer", { signUp: false });
    await newcomer.page.goto(new URL(link).pathname);
    await expect(newcomer.page.getByText(`${alice.username} invited you to join.`)).toBeVisible();
    await expect(newcomer.page.getByRole("heading", { name: "Join the workspace" })).toBeVisible();
    await shoot(newcomer.page, "invite-signup");
    await newcomer.page.getByRole("textbox", { name: "Username" }).fill(newcomer.username);
    await newcomer.page.getByLabel("Password", { exact: true }).fill(newcomer.password);
    await newcomer.page.getByRole("button", { name: "Create account" }).click();
    await expect(roomsNav(newcomer.page)).toBeVisible();
    await expect(newcomer.page).toHaveURL(/\/$/);

    const late = await person("late", { signUp: false });
    await late.page.goto(new URL(link).pathname);
    await expect(late.page.getByRole("alert")).toHaveText(
      "This invite link has been used as many times as it allows. Ask for a new one.",
    );
    await shoot(late.page, "invite-signup-used-up");

    // The maker sees the use, and can revoke a link that still works.
    await page.getByRole("button", { name: "Done" }).click();
    await page.getByRole("button", { name: "Invite people" }).click();
    await expect(dialog.getByRole("listitem").filter({ hasText: "1 of 1 use" })).toContainText("used up");
    await dialog.getByLabel("Can be used").selectOption({ label: "Any number of times" });
    await dialog.getByRole("button", { name: "Create invite link" }).click();
    const second = await dialog.getByRole("textbox", { name: "Invite link" }).inputValue();
    const active = dialog.getByRole("listitem").filter({ hasText: "no limit" });
    await active.getByRole("button", { name: "Revoke" }).click();
    await expect(active).toContainText("revoked");
    await late.page.goto(new URL(second).pathname);
    await expect(late.page.getByRole("alert")).toHaveText("This invite link was revoked. Ask for a new one.");
    // The same invite as a query parameter on /signup.
    await late.page.goto(`/signup?invite=${new URL(second).pathname.split("/").at(-1)}`);
    await expect(late.page.getByRole("alert")).toHaveText("This invite link was revoked. Ask for a new one.");
    expect(violations).toEqual([]);
  });
});

test.describe("invite-only sign-up", () => {
  test("the admin turns it on; sign-up without an invite is refused with a clear message", async ({
    person,
  }) => {
    test.skip(!admin, "needs the workspace admin from global-setup.ts (a fresh workspace)");
    const boss = await person("boss", { signUp: false });
    const member = await person("member");
    await signInViaApi(boss.page.request, admin!.username, admin!.password);
    try {
      await openApp(boss.page);
      await boss.page.getByRole("button", { name: "Settings" }).click();
      const dialog = boss.page.getByRole("dialog", { name: "Settings" });
      const inviteOnly = dialog.getByRole("checkbox", { name: "Invite-only sign-up" });
      await expect(inviteOnly).not.toBeChecked();
      await inviteOnly.check();
      await expect(
        dialog.getByRole("status").filter({ hasText: "Sign-up now needs an invite link." }),
      ).toBeVisible();
      await shoot(boss.page, "settings-admin");
      // The admin is still the admin after a reload (the device's copy of the person kept no flag).
      await boss.page.reload();
      await boss.page.getByRole("button", { name: "Settings", exact: true }).click();
      await expect(
        boss.page
          .getByRole("dialog", { name: "Settings" })
          .getByRole("checkbox", { name: "Invite-only sign-up" }),
      ).toBeChecked();
      await boss.page.keyboard.press("Escape");

      const stranger = await person("stranger", { signUp: false });
      await stranger.page.goto("/signup");
      await expect(stranger.page.getByText(/Sign-up here is by invitation only/)).toBeVisible();
      await stranger.page.getByRole("textbox", { name: "Username" }).fill(stranger.username);
      await stranger.page.getByLabel("Password", { exact: true }).fill(stranger.password);
      await stranger.page.getByRole("button", { name: "Create account" }).click();
      await expect(stranger.page.getByRole("alert")).toHaveText(
        "Sign-up is by invitation only. Ask a member of this workspace for an invite link.",
      );
      await shoot(stranger.page, "signup-invite-only");
      expect(await (await stranger.page.request.get("/api/session")).json()).toMatchObject({ user: null });

      // A member who is not the admin does not see the setting.
      await openApp(member.page);
      await member.page.getByRole("button", { name: "Settings" }).click();
      const memberDialog = member.page.getByRole("dialog", { name: "Settings" });
      await expect(memberDialog.getByRole("button", { name: "Change password" })).toBeVisible();
      await expect(memberDialog.getByRole("checkbox", { name: "Invite-only sign-up" })).toHaveCount(0);
    } finally {
      // Every other spec signs people up without invites.
      const off = await boss.page.request.patch("/api/workspace", { data: { inviteOnly: false } });
      expect(off.status()).toBe(200);
    }
  });
});

test.describe("password change", () => {
  test("needs the current password and signs out the person's other devices", async ({ person }) => {
    const alice = await person("alice");
    await openApp(alice.page);
    await expectOnline(alice.page);
    const { page: other } = await anotherDevice(person, alice);
    await openApp(other);
    await expectOnline(other);

    await alice.page.getByRole("button", { name: "Settings" }).click();
    const dialog = alice.page.getByRole("dialog", { name: "Settings" });
    await dialog.getByLabel("Current password").fill("not my password");
    await dialog.getByLabel("New password").fill("a brand new passphrase");
    await dialog.getByRole("button", { name: "Change password" }).click();
    await expect(dialog.getByRole("alert")).toHaveText("The current password is not right.");
    await shoot(alice.page, "settings-password-error");

    await dialog.getByLabel("Current password").fill(alice.password);
    await dialog.getByLabel("New password").fill("a brand new passphrase");
    await dialog.getByRole("button", { name: "Change password" }).click();
    await expect(dialog.getByRole("status").filter({ hasText: "Password changed." })).toHaveText(
      "Password changed. 1 other session was signed out.",
    );
    await shoot(alice.page, "settings-password");

    // The other device is sent to the sign-in page; this one stays signed in and online.
    await expect(other.getByRole("button", { name: "Sign in" })).toBeVisible({ timeout: 20_000 });
    await dialog.getByRole("button", { name: "Close" }).click();
    await expectOnline(alice.page);
    expect((await alice.page.request.get("/api/session")).status()).toBe(200);
  });
});

test.describe("cross-site requests", () => {
  test("another site cannot sign a browser in (login CSRF)", async ({ person, baseURL }) => {
    const alice = await person("alice");
    const victim = await person("victim", { signUp: false });
    // A plain HTML form on a hostile site is what needs no CORS preflight; text/plain lets it
    // smuggle a JSON-looking body.
    const body = `{"username":"${alice.username}","password":"${alice.password}","x":"`;
    await victim.page.route("http://evil.test/", (route) =>
      route.fulfill({
        contentType: "text/html",
        body: `<form method="POST" action="${baseURL}/api/login" enctype="text/plain">
           <input type="hidden" name='${body}' value='"}'><button>Win a prize</button></form>`,
      }),
    );
    await victim.page.goto("http://evil.test/");
    await victim.page.getByRole("button", { name: "Win a prize" }).click();
    await expect(victim.page.locator("body")).toContainText("Requests from other sites are not allowed.");
    const cookies = await victim.context.cookies(baseURL!);
    expect(cookies.find((cookie) => cookie.name === "chat_session")).toBeUndefined();
    expect(await (await victim.page.request.get(`${baseURL}/api/session`)).json()).toMatchObject({
      user: null,
    });
  });
});
