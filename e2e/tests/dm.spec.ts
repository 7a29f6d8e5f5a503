import {
  dmLink,
  expect,
  messageArticle,
  messageLog,
  openApp,
  sendMessage,
  sessionUserId,
  test,
} from "./support.ts";

test("a direct message reaches only its two people", async ({ person }) => {
  const alice = await person("alice");
  const bob = await person("bob");
  const carol = await person("carol");
  const secret = "Bob, the launch date is the 14th; keep it between us";

  // Alice opens Bob under "Direct messages" and writes to him.
  await openApp(alice.page);
  await dmLink(alice.page, bob.username).click();
  await expect(alice.page).toHaveURL(new RegExp(`/dm/${bob.username}$`));
  await expect(alice.page.getByRole("heading", { level: 1, name: bob.username })).toBeVisible();
  await sendMessage(alice.page, secret);
  await expect(messageArticle(alice.page, secret)).toBeVisible();

  // Bob finds it in his conversation with Alice.
  await openApp(bob.page);
  await dmLink(bob.page, alice.username).click();
  await expect(bob.page).toHaveURL(new RegExp(`/dm/${alice.username}$`));
  await expect(bob.page.getByRole("heading", { level: 1, name: alice.username })).toBeVisible();
  await expect(messageArticle(bob.page, secret)).toContainText(alice.username);

  // Carol, who is neither, goes straight to the DM room's URL: an access error and no messages.
  const ids = [await sessionUserId(alice.page), await sessionUserId(bob.page)].sort();
  await carol.page.goto(`/r/dm-${ids[0]}-${ids[1]}`);
  // The contract names no role for this; a screen-reader user expects the refusal announced as an alert.
  await expect(carol.page.getByRole("alert")).toBeVisible();
  await expect(carol.page.getByRole("alert")).toContainText(
    /access|member|not allowed|permission|forbidden/i,
  );
  await expect(carol.page.getByText(secret)).toHaveCount(0);
  await expect(messageLog(carol.page).getByRole("article")).toHaveCount(0);
  await expect(carol.page.getByRole("textbox", { name: "Message" })).toHaveCount(0);
});

test("a direct message to oneself says plainly that it needs someone else", async ({ person }) => {
  const alice = await person("alice");
  await openApp(alice.page, `/dm/${alice.username}`);
  await expect(alice.page.getByRole("alert")).toContainText(
    "This is you: a direct message needs someone else.",
  );
  await expect(alice.page.getByRole("alert")).not.toContainText("does not exist");
  await expect(alice.page.getByRole("textbox", { name: "Message" })).toHaveCount(0);
});
