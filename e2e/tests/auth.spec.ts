import { expect, roomsNav, signUpViaApi, test } from "./support.ts";

test.describe("accounts", () => {
  test("sign up, sign out, sign in", async ({ person }) => {
    const alice = await person("alice", { signUp: false });
    const { page } = alice;

    await page.goto("/signup");
    await page.getByRole("textbox", { name: "Username" }).fill(alice.username);
    await page.getByLabel("Password", { exact: true }).fill(alice.password);
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(roomsNav(page)).toBeVisible();
    await expect(page).not.toHaveURL(/\/signup$/);
    const session = await page.request.get("/api/session");
    expect(session.status()).toBe(200);
    expect((await session.json()).user.username).toBe(alice.username);

    // The contract names no sign-out control; a screen-reader user expects a button called "Sign out".
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
    await expect(page).toHaveURL(/\/login$/);
    await expect(roomsNav(page)).toHaveCount(0);
    expect(await (await page.request.get("/api/session")).json()).toMatchObject({ user: null });

    await page.getByRole("textbox", { name: "Username" }).fill(alice.username);
    await page.getByLabel("Password", { exact: true }).fill(alice.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(roomsNav(page)).toBeVisible();
    expect((await page.request.get("/api/session")).status()).toBe(200);
    expect(alice.dialogs).toEqual([]);
  });

  test("a signed-out visit logs no error in the console", async ({ person }) => {
    const visitor = await person("visitor", { signUp: false });
    const errors: string[] = [];
    visitor.page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    await visitor.page.goto("/");
    await expect(visitor.page.getByRole("button", { name: "Sign in" })).toBeVisible();
    await visitor.page.reload();
    await expect(visitor.page.getByRole("button", { name: "Sign in" })).toBeVisible();
    expect(errors).toEqual([]);
  });

  test("a wrong password is refused with an alert", async ({ person }) => {
    const alice = await person("alice", { signUp: false });
    const { page } = alice;
    await signUpViaApi(page.request, alice.username, alice.password);
    await page.context().clearCookies();

    await page.goto("/login");
    await page.getByRole("textbox", { name: "Username" }).fill(alice.username);
    await page.getByLabel("Password", { exact: true }).fill("not the right password");
    await page.getByRole("button", { name: "Sign in" }).click();
    const alert = page.getByRole("alert");
    await expect(alert).toBeVisible();
    await expect(alert).toContainText(/password/i);
    await expect(page).toHaveURL(/\/login$/);
    await expect(roomsNav(page)).toHaveCount(0);
    expect(await (await page.request.get("/api/session")).json()).toMatchObject({ user: null });
  });

  test("a username that is taken is refused with an alert", async ({ person }) => {
    const alice = await person("alice");
    const impostor = await person("impostor", { signUp: false });
    const { page } = impostor;

    await page.goto("/signup");
    // Usernames are case-insensitive: the upper-case spelling is the same account name.
    await page.getByRole("textbox", { name: "Username" }).fill(alice.username.toUpperCase());
    await page.getByLabel("Password", { exact: true }).fill(impostor.password);
    await page.getByRole("button", { name: "Create account" }).click();
    // The contract puts /login errors in role=alert; a screen-reader user expects the same on /signup.
    const alert = page.getByRole("alert");
    await expect(alert).toBeVisible();
    await expect(alert).toContainText(/taken|already|exists|in use/i);
    await expect(page).toHaveURL(/\/signup$/);
    await expect(roomsNav(page)).toHaveCount(0);
    expect(await (await page.request.get("/api/session")).json()).toMatchObject({ user: null });
  });
});
