import { pngBytes } from "./fileFixtures.ts";
import {
  dmLink,
  expect,
  messageArticle,
  messageBox,
  openApp,
  type Person,
  sendMessage,
  test,
} from "./support.ts";

/**
 * Profiles (issue 20): a display name and status set in Settings reach the others' open screens
 * through the `directory` (no reload), on messages, in the nav, in mentions and the DM header; the
 * username stays the handle. Bad input is refused with a sentence and changes nothing.
 */

async function openProfile(person: Person) {
  await person.page.getByRole("button", { name: "Settings" }).click();
  const dialog = person.page.getByRole("dialog", { name: "Settings" });
  const profile = dialog.getByRole("region", { name: "Profile" });
  await expect(profile).toBeVisible();
  return { dialog, profile };
}

test("a display name and status reach the other person at once, on messages, in the nav, mentions and the DM header", async ({
  person,
}) => {
  const alice = await person("alice");
  const bob = await person("bob");
  const hello = "Morning Bob, the deck is in the drive";

  await openApp(alice.page);
  await dmLink(alice.page, bob.username).click();
  await sendMessage(alice.page, hello);
  await openApp(bob.page);
  await dmLink(bob.page, alice.username).click();
  await expect(messageArticle(bob.page, hello)).toContainText(alice.username);
  await sendMessage(bob.page, "Thanks, reading it now");
  await expect(messageArticle(bob.page, "reading it now")).toBeVisible();

  // Two people, two colours (issue 22): the initials' backgrounds differ. The avatar is decorative
  // (aria-hidden), so it is found by its class.
  const background = (text: string) =>
    messageArticle(bob.page, text)
      .locator(".avatar")
      .evaluate((avatar) => getComputedStyle(avatar).backgroundColor);
  expect(await background(hello)).not.toBe(await background("reading it now"));

  // Alice sets hers, with the keyboard: the Display name box has the focus, Enter saves.
  const { dialog, profile } = await openProfile(alice);
  const name = profile.getByRole("textbox", { name: "Display name" });
  await expect(name).toBeFocused();
  await expect(name).toHaveValue(alice.username);
  await name.fill("Alice Liddell");
  await alice.page.keyboard.press("Tab");
  await alice.page.keyboard.type("Reviewing the launch plan");
  await expect(profile.getByRole("textbox", { name: "Status" })).toHaveValue("Reviewing the launch plan");
  await alice.page.keyboard.press("Enter");
  await expect(profile.getByRole("status")).toHaveText("Profile saved.");
  await dialog.getByRole("button", { name: "Close" }).click();

  // Bob's open page, not reloaded: her message, the DM header and his nav show them.
  await expect(messageArticle(bob.page, hello)).toContainText("Alice Liddell");
  const conversation = bob.page.getByRole("region", { name: alice.username });
  await expect(bob.page.getByRole("heading", { level: 1, name: alice.username })).toBeVisible();
  await expect(conversation).toContainText("Alice Liddell");
  await expect(conversation).toContainText("Reviewing the launch plan");
  // The nav link is still named by her username first (the handle), then shows her display name.
  await expect(dmLink(bob.page, alice.username)).toContainText("Alice Liddell");

  // Jump to (Ctrl+K) finds her by her display name too.
  await bob.page.keyboard.press("Control+k");
  const jump = bob.page.getByRole("dialog", { name: "Jump to" });
  await jump.getByRole("combobox", { name: "Room or person" }).fill("liddell");
  await expect(jump.getByRole("option").first()).toContainText(alice.username);
  await expect(jump.getByRole("option").first()).toContainText("Alice Liddell");
  await bob.page.keyboard.press("Escape");
  await expect(jump).toBeHidden();

  // The typeahead finds her by a word of her display name; picking her writes her username.
  await messageBox(bob.page).fill("");
  await messageBox(bob.page).pressSequentially("@lidd");
  const option = bob.page.getByRole("option", { name: /Alice Liddell/ });
  await expect(option).toBeVisible();
  await bob.page.keyboard.press("Enter");
  await expect(messageBox(bob.page)).toHaveValue(`@${alice.username} `);
  await bob.page.keyboard.type("looks good to me");
  await bob.page.keyboard.press("Enter");
  // Her mention chip shows her display name on both screens.
  await expect(messageArticle(bob.page, "looks good to me")).toContainText("@Alice Liddell");
  await expect(messageArticle(alice.page, "looks good to me")).toContainText("@Alice Liddell");

  // Her avatar: chosen in Settings, shown on her messages on Bob's screen in place of the initials.
  await openProfile(alice);
  const chooser = alice.page.waitForEvent("filechooser");
  await profile.getByRole("button", { name: "Change avatar" }).click();
  await (await chooser).setFiles({ name: "me.png", mimeType: "image/png", buffer: pngBytes(300, 200, 20) });
  await expect(profile.getByRole("status")).toHaveText("Avatar changed.");
  const picture = messageArticle(bob.page, hello).locator('.avatar img[src^="/api/avatars/"]');
  await expect(picture).toBeVisible();
  await expect.poll(() => picture.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(128);
});

test("a display name of spaces or of 10,000 characters is refused with a sentence, and nothing changes", async ({
  person,
}) => {
  const alice = await person("alice");
  await openApp(alice.page);
  const { profile } = await openProfile(alice);
  const name = profile.getByRole("textbox", { name: "Display name" });
  const status = profile.getByRole("textbox", { name: "Status" });
  await status.fill("Out until Monday");

  await name.fill("     ");
  await profile.getByRole("button", { name: "Save profile" }).click();
  await expect(profile.getByRole("alert")).toHaveText("Display name cannot be empty or only spaces.");
  await expect(name).toBeFocused();
  await expect(name).toHaveAttribute("aria-invalid", "true");

  await name.fill("x".repeat(10_000));
  await name.press("Enter");
  await expect(profile.getByRole("alert")).toHaveText(
    "Display name must be at most 64 characters (this one has 10,000).",
  );

  // The server refuses the same, whoever asks, and kept the name and the status as they were.
  const refused = await alice.page.request.patch("/api/profile", {
    data: { displayName: "   ", status: "Out until Monday" },
  });
  expect(refused.status()).toBe(400);
  expect((await refused.json()).error).toBe("Display name cannot be empty or only spaces.");
  const session = await (await alice.page.request.get("/api/session")).json();
  expect(session.user.displayName).toBe(alice.username);
  await expect(profile.getByText("Profile saved.")).toHaveCount(0);
});
