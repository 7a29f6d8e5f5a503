import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import {
  anotherDevice,
  createRoomViaApi,
  expect,
  joinRoomViaApi,
  messageArticle,
  messageBox,
  openApp,
  sendMessage,
  test,
  uniqueName,
} from "./support.ts";

/**
 * Dark mode (issue 22): the app follows the system's light or dark preference unless the person picks
 * one in Settings, which follows them to their other devices; both themes meet WCAG AA, checked with
 * axe on the main screens.
 */

/** axe's serious and critical findings (WCAG 2 A and AA rules) on what the page shows now. */
async function seriousFindings(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  return results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map(
      (violation) =>
        `${violation.id}: ${violation.help} (${violation.nodes
          .slice(0, 3)
          .map(
            (node) =>
              `${node.target.join(" ")}${node.failureSummary ? ` — ${node.failureSummary.split("\n")[1]?.trim()}` : ""}`,
          )
          .join("; ")})`,
    );
}

const background = (page: Page) =>
  page.evaluate("getComputedStyle(document.documentElement).backgroundColor") as Promise<string>;

for (const scheme of ["light", "dark"] as const)
  test(`the main screens meet WCAG AA in the ${scheme} theme (axe)`, async ({ person }) => {
    const alice = await person("alice", { colorScheme: scheme });
    const bob = await person("bob", { colorScheme: scheme });
    const roomId = await createRoomViaApi(alice.context.request, uniqueName("Contrast"));
    await joinRoomViaApi(bob.context.request, roomId);

    // Signed out: the sign-in page.
    const visitor = await person("visitor", { signUp: false, colorScheme: scheme });
    await visitor.page.goto("/login");
    await expect(visitor.page.getByRole("button", { name: "Sign in" })).toBeVisible();
    expect(await seriousFindings(visitor.page), "sign-in page").toEqual([]);

    // A room with what a room shows: messages from two people, a mention, code, a link.
    await openApp(bob.page, `/r/${roomId}`);
    await sendMessage(bob.page, "Morning! The **deploy** notes are at https://example.com/notes");
    await openApp(alice.page, `/r/${roomId}`);
    await sendMessage(
      alice.page,
      `Thanks @${bob.username}, run \`npm ci\` first:\n\`\`\`ts\nconst ok: boolean = true; // yes\n\`\`\``,
    );
    await expect(messageArticle(alice.page, "Thanks")).toBeVisible();
    await expect(messageArticle(alice.page, "Morning!")).toBeVisible();
    await expect(messageBox(alice.page)).toBeVisible();
    expect(await seriousFindings(alice.page), "room").toEqual([]);

    // Settings.
    await alice.page.getByRole("button", { name: "Settings", exact: true }).click();
    await expect(alice.page.getByRole("dialog", { name: "Settings" })).toBeVisible();
    expect(await seriousFindings(alice.page), "settings").toEqual([]);
    await alice.page.keyboard.press("Escape");

    // Members.
    await alice.page.getByRole("button", { name: "Members" }).click();
    await expect(alice.page.getByRole("dialog", { name: "Members" })).toBeVisible();
    expect(await seriousFindings(alice.page), "members").toEqual([]);
  });

test("the theme follows the system until the person picks one, and the choice follows them to their other devices", async ({
  person,
}) => {
  const alice = await person("alice", { colorScheme: "light" });
  const roomId = await createRoomViaApi(alice.context.request, uniqueName("Themes"));
  await openApp(alice.page, `/r/${roomId}`);
  const light = await background(alice.page);
  // The system's preference, with no choice made.
  await alice.page.emulateMedia({ colorScheme: "dark" });
  await expect.poll(() => background(alice.page)).not.toBe(light);
  const dark = await background(alice.page);
  await alice.page.emulateMedia({ colorScheme: "light" });
  await expect.poll(() => background(alice.page)).toBe(light);

  // Her phone, in a light system theme too.
  const phone = await anotherDevice(person, alice);
  await phone.page.emulateMedia({ colorScheme: "light" });
  await openApp(phone.page, `/r/${roomId}`);
  expect(await background(phone.page)).toBe(light);

  await alice.page.getByRole("button", { name: "Settings", exact: true }).click();
  const settings = alice.page.getByRole("dialog", { name: "Settings" });
  const themes = settings.getByRole("group", { name: "Theme" });
  await expect(themes.getByRole("radio", { name: "System" })).toBeChecked();
  await themes.getByRole("radio", { name: "Dark" }).check();
  await expect.poll(() => background(alice.page)).toBe(dark);
  await expect.poll(() => background(phone.page)).toBe(dark);

  // A reload starts in the chosen theme.
  await phone.page.reload();
  await expect(messageBox(phone.page)).toBeVisible();
  expect(await background(phone.page)).toBe(dark);

  await themes.getByRole("radio", { name: "System" }).check();
  await expect.poll(() => background(phone.page)).toBe(light);
});
