import type { Page } from "@playwright/test";
import {
  dmNav,
  escapeRegExp,
  expect,
  messageArticle,
  messageLog,
  openApp,
  sendMessage,
  test,
} from "./support.ts";

/** The group conversation's link: named by the others' usernames joined by ", ", then maybe ", 1 unread". */
const groupLink = (page: Page, others: string[]) =>
  dmNav(page).getByRole("link", {
    name: new RegExp(`^${escapeRegExp([...others].sort().join(", "))}(?![\\w.-])`),
  });

/** Every group conversation's link: a second username after ", " (a DM's link may add ", online"). */
const groupLinks = (page: Page) => dmNav(page).getByRole("link", { name: /, [a-z]+-[0-9a-f]{8}/ });

/** "New message" → dialog "New direct message": each person typed and picked from the suggestions, then "Start". */
async function startConversation(page: Page, usernames: string[]): Promise<void> {
  await page.getByRole("button", { name: "New message" }).click();
  const dialog = page.getByRole("dialog", { name: "New direct message" });
  const people = dialog.getByRole("textbox", { name: "People" });
  for (const username of usernames) {
    await people.fill(username.slice(0, -2));
    await expect(dialog.getByRole("option", { name: new RegExp(escapeRegExp(username)) })).toBeVisible();
    await people.press("Enter");
    await expect(dialog.getByRole("button", { name: `Remove ${username}` })).toBeVisible();
  }
  await dialog.getByRole("button", { name: "Start" }).click();
  await expect(dialog).toHaveCount(0);
}

test("a group conversation: alice starts it with bob and carol, all three see it, a fourth cannot open it", async ({
  person,
}) => {
  const alice = await person("alice");
  const bob = await person("bob");
  const carol = await person("carol");
  const dave = await person("dave");
  const hello = "Lunch on Friday, the three of us?";

  await openApp(alice.page);
  await startConversation(alice.page, [bob.username, carol.username]);
  await expect(alice.page).toHaveURL(/\/r\/[a-z0-9]{16}$/);
  const url = alice.page.url();
  await expect(groupLink(alice.page, [bob.username, carol.username])).toBeVisible();
  await expect(
    alice.page.getByRole("heading", { level: 1, name: [bob.username, carol.username].sort().join(", ") }),
  ).toBeVisible();
  await sendMessage(alice.page, hello);
  await expect(messageArticle(alice.page, hello)).toBeVisible();

  // Each of the others sees it named by the other two, with the message unread, and reads it.
  for (const [who, others] of [
    [bob, [alice.username, carol.username]],
    [carol, [alice.username, bob.username]],
  ] as const) {
    await openApp(who.page);
    const link = groupLink(who.page, [...others]);
    await expect(link).toHaveAccessibleName(/, 1 unread$/);
    await link.click();
    await expect(who.page).toHaveURL(url);
    await expect(messageArticle(who.page, hello)).toContainText(alice.username);
  }

  // Starting it again, with the people in the other order, opens the same conversation.
  await alice.page.goto("/");
  await expect(alice.page.getByRole("button", { name: "Sign out" })).toBeVisible();
  await startConversation(alice.page, [carol.username, bob.username]);
  await expect(alice.page).toHaveURL(url);
  await expect(groupLinks(alice.page)).toHaveCount(1);

  // Dave, who is not in it, goes straight to its URL: refused, nothing of it shown.
  await dave.page.goto(new URL(url).pathname);
  await expect(dave.page.getByRole("alert")).toContainText(/access|member|not allowed|permission|forbidden/i);
  await expect(dave.page.getByText(hello)).toHaveCount(0);
  await expect(messageLog(dave.page).getByRole("article")).toHaveCount(0);
  await expect(dave.page.getByRole("textbox", { name: "Message" })).toHaveCount(0);
});

test("New message refuses an unknown username or oneself alone, with the reason, and opens nothing", async ({
  person,
}) => {
  const alice = await person("alice");
  const bob = await person("bob");
  await openApp(alice.page);
  // One person is their DM.
  await startConversation(alice.page, [bob.username]);
  await expect(alice.page).toHaveURL(new RegExp(`/dm/${bob.username}$`));
  await alice.page.getByRole("button", { name: "New message" }).click();
  const dialog = alice.page.getByRole("dialog", { name: "New direct message" });
  const people = dialog.getByRole("textbox", { name: "People" });

  await people.fill("nobody-by-this-name");
  await dialog.getByRole("button", { name: "Start" }).click();
  await expect(dialog.getByRole("alert")).toHaveText('There is no one called "nobody-by-this-name".');

  await people.fill(alice.username);
  await people.press("Enter");
  await expect(dialog.getByRole("alert")).toContainText("besides yourself");
  await expect(dialog).toBeVisible();
  await expect(alice.page).toHaveURL(new RegExp(`/dm/${bob.username}$`));
  await expect(groupLinks(alice.page)).toHaveCount(0);
});

test("someone leaves a group: it leaves their nav, the others' name for it drops them, and a DM cannot be left", async ({
  person,
}) => {
  const alice = await person("alice");
  const bob = await person("bob");
  const carol = await person("carol");
  await openApp(alice.page);
  // Picked with the keyboard alone: ArrowDown/Enter pick, Backspace in the empty box takes the last chip back.
  await alice.page.getByRole("button", { name: "New message" }).click();
  const dialog = alice.page.getByRole("dialog", { name: "New direct message" });
  const people = dialog.getByRole("textbox", { name: "People" });
  for (const username of [bob.username, carol.username]) {
    await people.fill(username.slice(0, -1));
    await expect(dialog.getByRole("option").first()).toContainText(username);
    await people.press("ArrowDown");
    await people.press("ArrowUp");
    await people.press("Enter");
  }
  await expect(dialog.getByRole("button", { name: /^Remove / })).toHaveCount(2);
  await people.press("Backspace");
  await expect(dialog.getByRole("button", { name: /^Remove / })).toHaveCount(1);
  await expect(dialog.getByRole("button", { name: `Remove ${bob.username}` })).toBeVisible();
  await people.fill(carol.username);
  await people.press("Enter");
  await people.press("Enter");
  await expect(alice.page).toHaveURL(/\/r\/[a-z0-9]{16}$/);
  const url = new URL(alice.page.url()).pathname;
  await expect(groupLink(alice.page, [bob.username, carol.username])).toBeVisible();

  await openApp(bob.page, url);
  await bob.page.getByRole("button", { name: "Members" }).click();
  const members = bob.page.getByRole("dialog", { name: "Members" });
  await expect(members.getByRole("button", { name: /^Remove / })).toHaveCount(0);
  await members.getByRole("button", { name: "Leave room" }).click();
  await expect(bob.page).toHaveURL(/\/$/);
  await expect(groupLinks(bob.page)).toHaveCount(0);
  await bob.page.goto(url);
  await expect(bob.page.getByRole("alert")).toContainText(/access|member|not allowed|permission|forbidden/i);
  // With one other person left it is still not the DM with carol.
  await expect(groupLink(alice.page, [`${carol.username} (group)`])).toHaveAttribute("href", url);
  await expect(dmNav(alice.page).getByRole("link", { name: new RegExp(`^${carol.username}`) })).toHaveCount(
    2,
  );

  // A one-to-one DM offers no way out.
  await openApp(alice.page, `/dm/${carol.username}`);
  await expect(alice.page.getByRole("heading", { level: 1, name: carol.username })).toBeVisible();
  await expect(alice.page.getByRole("button", { name: "Members" })).toHaveCount(0);
});
