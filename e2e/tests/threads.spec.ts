import type { Locator, Page } from "@playwright/test";
import { pngBytes } from "./fileFixtures.ts";
import {
  anotherDevice,
  createRoomViaApi,
  escapeRegExp,
  expect,
  expectOnline,
  installApp,
  joinRoomViaApi,
  messageArticle,
  messageLog,
  openApp,
  type Person,
  sendMessage,
  test,
  uniqueName,
} from "./support.ts";

/**
 * Threads (issue 20): "Reply in thread" on a message opens the complementary region "Thread" beside
 * the room at /r/<roomId>/t/<messageId>; replies live there (and in the room too with "Also send to
 * room"); a root shows "N replies…"; followers see "Threads, N unread" in the nav, cleared on every
 * device once one of them reads the thread.
 */

const threadPanel = (page: Page) => page.getByRole("complementary", { name: "Thread" });
const replies = (page: Page) => threadPanel(page).getByRole("log", { name: "Replies" });
const replyArticle = (page: Page, text: string) =>
  replies(page).getByRole("article").filter({ hasText: text });
const replyBox = (page: Page) => threadPanel(page).getByRole("textbox", { name: "Reply" });
const threadsLink = (page: Page) => page.getByRole("link", { name: /^Threads\b/ });

async function sendReply(page: Page, text: string, options: { alsoInRoom?: boolean } = {}): Promise<void> {
  await replyBox(page).fill(text);
  if (options.alsoInRoom)
    await threadPanel(page).getByRole("checkbox", { name: "Also send to room" }).check();
  await threadPanel(page).getByRole("button", { name: "Send reply" }).click();
}

/** Hovers the message in the room and opens its thread with "Reply in thread". */
async function replyInThread(message: Locator): Promise<void> {
  await message.hover();
  await message.getByRole("button", { name: "Reply in thread" }).click();
}

/** A message's id, from the address its thread opened at. */
function threadIdOf(page: Page): string {
  const match = /\/t\/([^/?#]+)/.exec(new URL(page.url()).pathname);
  expect(match, `a thread is open at ${page.url()}`).not.toBeNull();
  return decodeURIComponent(match![1]!);
}

async function openRoomTogether(alice: Person, bob: Person) {
  const roomName = uniqueName("Plans");
  const roomId = await createRoomViaApi(alice.context.request, roomName);
  await joinRoomViaApi(bob.context.request, roomId);
  for (const { page } of [alice, bob]) {
    await openApp(page, `/r/${roomId}`);
    await expectOnline(page);
  }
  return { roomId, roomName };
}

test('a reply in a thread: the panel beside the room, the root\'s "N replies", a reload back to the thread, "Also send to room"', async ({
  person,
}) => {
  const alice = await person("alice");
  const bob = await person("bob");
  const { roomId } = await openRoomTogether(alice, bob);
  await sendMessage(alice.page, "Where do we eat on Friday?");
  const rootOnBob = messageArticle(bob.page, "Where do we eat on Friday?");
  await expect(rootOnBob).toBeVisible();
  await expect(messageArticle(alice.page, "Where do we eat on Friday?")).toContainText("✓");

  // Bob opens the thread from the message: the panel shows the root, and the box "Reply" has the focus.
  await replyInThread(rootOnBob);
  await expect(bob.page).toHaveURL(new RegExp(`/r/${escapeRegExp(roomId)}/t/[^/]+$`));
  const rootId = threadIdOf(bob.page);
  await expect(threadPanel(bob.page)).toContainText("Where do we eat on Friday?");
  await expect(replyBox(bob.page)).toBeFocused();
  await sendReply(bob.page, "The noodle place on the corner");
  await expect(replyArticle(bob.page, "The noodle place on the corner")).toContainText("✓");
  // A reply lives in its thread only: neither room timeline shows it.
  await expect(messageArticle(bob.page, "The noodle place on the corner")).toHaveCount(0);
  await expect(messageArticle(alice.page, "The noodle place on the corner")).toHaveCount(0);

  // Alice sees the root's thread button: its name starts with the count, then who and when.
  const button = messageArticle(alice.page, "Where do we eat on Friday?").getByRole("button", {
    name: /^1 reply/,
  });
  await expect(button).toBeVisible();
  await expect(button).toHaveAccessibleName(
    new RegExp(`^1 reply from ${escapeRegExp(bob.username)}, last reply (just now|1 min ago)$`),
  );
  await button.click();
  await expect(alice.page).toHaveURL(`/r/${roomId}/t/${rootId}`);
  await expect(replyArticle(alice.page, "The noodle place on the corner")).toBeVisible();

  // A reload returns to the thread.
  await bob.page.reload();
  await expect(threadPanel(bob.page)).toContainText("Where do we eat on Friday?");
  await expect(replyArticle(bob.page, "The noodle place on the corner")).toBeVisible();
  await expect(messageLog(bob.page)).toBeVisible();

  // "Also send to room": the reply shows in the thread and in the room, for everyone.
  await sendReply(bob.page, "Or the taco truck", { alsoInRoom: true });
  await expect(replyArticle(bob.page, "Or the taco truck")).toBeVisible();
  await expect(messageArticle(alice.page, "Or the taco truck")).toBeVisible();
  await expect(messageArticle(alice.page, "Or the taco truck")).toContainText("Replied in a thread");
  await expect(replyArticle(alice.page, "Or the taco truck")).toBeVisible();
  await expect(threadPanel(bob.page).getByRole("checkbox", { name: "Also send to room" })).not.toBeChecked();
  await expect(
    messageArticle(bob.page, "Where do we eat on Friday?").getByRole("button", { name: /^2 replies from / }),
  ).toBeVisible();

  // Escape closes the thread: back to the room's own address.
  await replyBox(bob.page).press("Escape");
  await expect(threadPanel(bob.page)).toHaveCount(0);
  await expect(bob.page).toHaveURL(`/r/${roomId}`);
  // "Close thread" too.
  await alice.page.getByRole("button", { name: "Close thread" }).click();
  await expect(threadPanel(alice.page)).toHaveCount(0);
  await expect(alice.page).toHaveURL(`/r/${roomId}`);
});

test('followed threads: "Threads" shows the unread replies, lists unread threads first, and reading one clears it on the other device', async ({
  person,
}) => {
  const alice = await person("alice");
  const bob = await person("bob");
  const { roomId } = await openRoomTogether(alice, bob);
  await sendMessage(alice.page, "First question: the budget");
  await sendMessage(alice.page, "Second question: the venue");
  await expect(messageArticle(alice.page, "Second question: the venue")).toContainText("✓");
  // Alice's second device, on the start page.
  const laptop = await anotherDevice(person, alice);
  await openApp(laptop.page, "/");
  await expectOnline(laptop.page);

  // Bob answers both in their threads (the venue last).
  await replyInThread(messageArticle(bob.page, "First question: the budget"));
  await sendReply(bob.page, "Budget is fine");
  await expect(replyArticle(bob.page, "Budget is fine")).toContainText("✓");
  await replyInThread(messageArticle(bob.page, "Second question: the venue"));
  await expect(threadPanel(bob.page)).toContainText("Second question: the venue");
  await sendReply(bob.page, "Venue is booked");
  await expect(replyArticle(bob.page, "Venue is booked")).toContainText("✓");

  // Alice started both threads, so she follows them: two unread replies on both her devices.
  for (const page of [alice.page, laptop.page])
    await expect(threadsLink(page)).toHaveAccessibleName(/^Threads\W+2 unread$/, { timeout: 15_000 });

  // The list: both threads, each a link to its thread; she reads the newer one (the venue) there.
  await threadsLink(alice.page).click();
  await expect(alice.page).toHaveURL("/threads");
  await expect(alice.page.getByRole("heading", { level: 1, name: "Threads" })).toBeVisible();
  const entries = alice.page.getByRole("main").getByRole("listitem");
  await expect(entries).toHaveCount(2);
  await expect(entries.nth(0)).toContainText("Second question: the venue");
  await entries.nth(0).getByRole("link").click();
  await expect(alice.page).toHaveURL(new RegExp(`/r/${escapeRegExp(roomId)}/t/[^/]+$`));
  await expect(replyArticle(alice.page, "Venue is booked")).toBeVisible();

  // Read here: the count drops to the other thread's reply on both devices.
  for (const page of [alice.page, laptop.page])
    await expect(threadsLink(page)).toHaveAccessibleName(/^Threads\W+1 unread$/, { timeout: 15_000 });
  // The unread thread now comes first, although the other one had the newer reply.
  await threadsLink(laptop.page).click();
  const laptopEntries = laptop.page.getByRole("main").getByRole("listitem");
  await expect(laptopEntries).toHaveCount(2);
  await expect(laptopEntries.nth(0)).toContainText("First question: the budget");
  await expect(laptopEntries.nth(0).getByRole("link")).toHaveAccessibleName(/, 1 unread/);
  await expect(laptopEntries.nth(1)).toContainText("Second question: the venue");
  await expect(laptopEntries.nth(1).getByRole("link")).not.toHaveAccessibleName(/unread/);

  // Reading the last one on the laptop clears "Threads" on the first device too.
  await laptopEntries.nth(0).getByRole("link").click();
  await expect(replyArticle(laptop.page, "Budget is fine")).toBeVisible();
  for (const page of [laptop.page, alice.page])
    await expect(threadsLink(page)).toHaveAccessibleName("Threads", { timeout: 15_000 });
});

test("a reply written offline is Pending, survives a reload, and goes once the network is back", async ({
  person,
}) => {
  const alice = await person("alice");
  const bob = await person("bob");
  const roomId = await createRoomViaApi(alice.context.request, uniqueName("Field"));
  await joinRoomViaApi(bob.context.request, roomId);
  await openApp(alice.page, `/r/${roomId}`);
  await expectOnline(alice.page);
  await sendMessage(alice.page, "Who has the tent?");
  await expect(messageArticle(alice.page, "Who has the tent?")).toContainText("✓");

  await installApp(bob, `/r/${roomId}`);
  await expectOnline(bob.page);
  await replyInThread(messageArticle(bob.page, "Who has the tent?"));
  const threadAddress = new URL(bob.page.url()).pathname;
  await sendReply(bob.page, "Online: I might");
  await expect(replyArticle(bob.page, "Online: I might")).toContainText("✓");
  // The device store writes as changes arrive; give the background sync a moment to hold the room.
  await bob.page.waitForTimeout(2_500);

  await bob.context.setOffline(true);
  await sendReply(bob.page, "Offline: I have it");
  await expect(replyArticle(bob.page, "Offline: I have it")).toContainText("Pending");
  // A reload, still offline (the service worker serves the app), returns to the thread, still pending.
  await bob.page.reload();
  await expect(bob.page).toHaveURL(threadAddress);
  await expect(replyArticle(bob.page, "Offline: I have it")).toContainText("Pending");
  await expect(alice.page.getByText("Offline: I have it")).toHaveCount(0);

  await bob.context.setOffline(false);
  await expectOnline(bob.page);
  await expect(replyArticle(bob.page, "Offline: I have it")).toContainText("✓", { timeout: 20_000 });
  await expect(replyArticle(bob.page, "Offline: I have it")).not.toContainText("Pending");
  const button = messageArticle(alice.page, "Who has the tent?").getByRole("button", { name: /^2 replies/ });
  await expect(button).toBeVisible({ timeout: 20_000 });
  await button.click();
  await expect(replies(alice.page).getByRole("article")).toHaveCount(2);
  await expect(replyArticle(alice.page, "Offline: I have it")).toHaveCount(1);
});

test("replies are found by search (a hit opens the thread) and can be edited, reacted to and deleted", async ({
  person,
}) => {
  const alice = await person("alice");
  const bob = await person("bob");
  const { roomId } = await openRoomTogether(alice, bob);
  await sendMessage(alice.page, "Names for the new cat?");
  await replyInThread(messageArticle(bob.page, "Names for the new cat?"));
  const rootId = threadIdOf(bob.page);
  await sendReply(bob.page, "How about Marmalade");
  await expect(replyArticle(bob.page, "How about Marmalade")).toContainText("✓");

  // Alice searches: the hit is the reply, and it opens the thread at it.
  const search = alice.page.getByRole("searchbox", { name: "Search messages" });
  await search.fill("marmalade");
  const results = alice.page.getByRole("region", { name: "Search results" });
  const hit = results.getByRole("link").filter({ hasText: "Marmalade" });
  await expect(hit).toBeVisible({ timeout: 15_000 });
  await expect(hit).toContainText("in a thread");
  await hit.click();
  await expect(alice.page).toHaveURL(new RegExp(`/r/${escapeRegExp(roomId)}/t/${rootId}\\?m=`));
  await expect(replyArticle(alice.page, "How about Marmalade")).toBeVisible();
  await expect(threadPanel(alice.page)).toContainText("Names for the new cat?");

  // Bob edits his reply; Alice sees the edit.
  const reply = replyArticle(bob.page, "How about Marmalade");
  await reply.hover();
  await reply.getByRole("button", { name: "Edit message" }).click();
  const editor = replies(bob.page).getByRole("textbox", { name: "Edit message" });
  await editor.fill("How about Pickles");
  await editor.press("Enter");
  await expect(replyArticle(alice.page, "How about Pickles")).toContainText("(edited)");

  // Alice reacts to it; Bob sees the reaction.
  const onAlice = replyArticle(alice.page, "How about Pickles");
  await onAlice.hover();
  await onAlice.getByRole("button", { name: "Add reaction" }).click();
  await onAlice.getByRole("button", { name: "React with 👍" }).click();
  await expect(
    replyArticle(bob.page, "How about Pickles")
      .getByRole("group", { name: "Reactions" })
      .getByRole("button", { name: "👍 1" }),
  ).toBeVisible();

  // Bob deletes it: gone for both, and the root has no replies left to show.
  const mine = replyArticle(bob.page, "How about Pickles");
  await mine.hover();
  await mine.getByRole("button", { name: "Delete message" }).click();
  await mine.getByRole("button", { name: "Delete", exact: true }).click();
  await expect(replyArticle(alice.page, "How about Pickles")).toHaveCount(0);
  await expect(replies(alice.page)).toContainText("message deleted");
  await expect(
    messageArticle(alice.page, "Names for the new cat?").getByRole("button", { name: /replies?\b/ }),
  ).toHaveCount(0);
});

test("bad input: a thread of a message that does not exist or is deleted, and of a room one is not in, takes no reply and says why", async ({
  person,
}) => {
  const alice = await person("alice");
  const bob = await person("bob");
  const roomName = uniqueName("Notices");
  const roomId = await createRoomViaApi(alice.context.request, roomName);
  await openApp(alice.page, `/r/${roomId}`);
  await expectOnline(alice.page);

  // A message that does not exist.
  await alice.page.goto(`/r/${roomId}/t/nosuchmessage0000`);
  await expect(threadPanel(alice.page).getByRole("alert")).toContainText("This message does not exist.");
  await expect(replyBox(alice.page)).toHaveCount(0);
  await expect(threadPanel(alice.page).getByRole("note")).toContainText("cannot be replied to");

  // A deleted one: its thread shows it deleted and takes no reply.
  await alice.page.getByRole("button", { name: "Close thread" }).click();
  await sendMessage(alice.page, "Posted by mistake");
  const mistake = messageArticle(alice.page, "Posted by mistake");
  await expect(mistake).toContainText("✓");
  await replyInThread(mistake);
  const rootId = threadIdOf(alice.page);
  await expect(replyBox(alice.page)).toBeVisible();
  await alice.page.getByRole("button", { name: "Close thread" }).click();
  await mistake.hover();
  await mistake.getByRole("button", { name: "Delete message" }).click();
  await mistake.getByRole("button", { name: "Delete", exact: true }).click();
  await alice.page.goto(`/r/${roomId}/t/${rootId}`);
  await expect(threadPanel(alice.page)).toContainText("message deleted");
  await expect(threadPanel(alice.page).getByRole("note")).toHaveText(
    "This message was deleted, so it cannot be replied to.",
  );
  await expect(replyBox(alice.page)).toHaveCount(0);

  // A public room Bob is not in: he may read its threads (a preview) but not reply.
  await sendMessage(alice.page, "Office closed on Monday");
  await replyInThread(messageArticle(alice.page, "Office closed on Monday"));
  await sendReply(alice.page, "Tuesday too");
  await expect(replyArticle(alice.page, "Tuesday too")).toContainText("✓");
  await openApp(bob.page, alice.page.url().replace(/^https?:\/\/[^/]+/, ""));
  await expect(replyArticle(bob.page, "Tuesday too")).toBeVisible();
  await expect(threadPanel(bob.page).getByRole("note")).toHaveText(
    "You are not in this room: join it to reply.",
  );
  await expect(replyBox(bob.page)).toHaveCount(0);
});

test("on a phone the thread takes the whole screen, and closing it shows the room again", async ({
  person,
}) => {
  const alice = await person("alice", { viewport: { width: 390, height: 844 } });
  const roomId = await createRoomViaApi(alice.context.request, uniqueName("Pocket"));
  await openApp(alice.page, `/r/${roomId}`);
  await expectOnline(alice.page);
  await sendMessage(alice.page, "A thought for later");
  const message = messageArticle(alice.page, "A thought for later");
  await expect(message).toContainText("✓");
  // No hover on a phone: a tap on the message shows its actions.
  await message.click();
  await message.getByRole("button", { name: "Reply in thread" }).click();
  const panel = threadPanel(alice.page);
  await expect(panel).toBeVisible();
  const box = await panel.boundingBox();
  expect(box?.width).toBe(390);
  await sendReply(alice.page, "Follow-up from the phone");
  await expect(replyArticle(alice.page, "Follow-up from the phone")).toContainText("✓");
  await alice.page.screenshot({ path: "/tmp/thread-390.png" });
  await panel.getByRole("button", { name: "Close thread" }).click();
  await expect(panel).toHaveCount(0);
  await expect(
    messageArticle(alice.page, "A thought for later").getByRole("button", { name: /^1 reply/ }),
  ).toBeVisible();
});

test("a thread in a direct conversation opens under its address, and from the Threads list", async ({
  person,
}) => {
  const alice = await person("alice");
  const bob = await person("bob");
  await openApp(alice.page, `/dm/${bob.username}`);
  await expectOnline(alice.page);
  await sendMessage(alice.page, "Can you review my draft?");
  await expect(messageArticle(alice.page, "Can you review my draft?")).toContainText("✓");

  await openApp(bob.page, `/dm/${alice.username}`);
  await replyInThread(messageArticle(bob.page, "Can you review my draft?"));
  await expect(bob.page).toHaveURL(new RegExp(`/dm/${escapeRegExp(alice.username)}/t/[^/]+$`));
  const rootId = threadIdOf(bob.page);
  await expect(threadPanel(bob.page)).toContainText(alice.username);
  await sendReply(bob.page, "Yes, this afternoon");
  await expect(replyArticle(bob.page, "Yes, this afternoon")).toContainText("✓");

  // Alice follows her message's thread: the list links to it under her conversation with Bob.
  await expect(threadsLink(alice.page)).toHaveAccessibleName(/^Threads\W+1 unread$/, { timeout: 15_000 });
  await threadsLink(alice.page).click();
  const entry = alice.page.getByRole("main").getByRole("listitem").getByRole("link");
  await expect(entry).toHaveAccessibleName(new RegExp(`direct messages with ${escapeRegExp(bob.username)}`));
  await entry.click();
  await expect(alice.page).toHaveURL(`/dm/${bob.username}/t/${rootId}`);
  await expect(replyArticle(alice.page, "Yes, this afternoon")).toBeVisible();
  await expect(threadsLink(alice.page)).toHaveAccessibleName("Threads", { timeout: 15_000 });
});

test("a reply in a followed thread calls its follower in another room: an in-app notice that opens the thread, and the tab title counts it", async ({
  person,
}) => {
  const alice = await person("alice");
  const bob = await person("bob");
  const { roomId, roomName } = await openRoomTogether(alice, bob);
  const lobby = uniqueName("Lobby");
  const lobbyId = await createRoomViaApi(bob.context.request, lobby);
  // Every text a `role=status` region of bob's page holds, so the test can tell a notice never came.
  await bob.page.addInitScript(`
    const seen = (window.statusTexts = []);
    new MutationObserver(() => {
      for (const element of document.querySelectorAll('[role="status"]')) {
        const text = element.textContent || "";
        if (text && !seen.includes(text)) seen.push(text);
      }
    }).observe(document, { subtree: true, childList: true, characterData: true });
  `);
  const statusTexts = () => bob.page.evaluate("window.statusTexts") as Promise<string[]>;
  // Bob starts the thread (so he follows it), then goes to another room.
  await sendMessage(bob.page, "Who brings the cake on Friday?");
  await expect(messageArticle(bob.page, "Who brings the cake on Friday?")).toContainText("✓");
  await bob.page.goto(`/r/${lobbyId}`);
  await expect(bob.page.getByRole("heading", { level: 1, name: lobby })).toBeVisible();
  await expect(bob.page).toHaveTitle(new RegExp(`^${escapeRegExp(lobby)} · Chat$`));

  const rootOnAlice = messageArticle(alice.page, "Who brings the cake on Friday?");
  await replyInThread(rootOnAlice);
  const rootId = threadIdOf(alice.page);
  await sendReply(alice.page, "I will bring a lemon cake");

  // The notice: where, "in a thread", and the reply; the tab title counts the unread reply.
  const notice = bob.page.getByRole("status").filter({ hasText: `#${roomName}, in a thread` });
  await expect(notice).toContainText("I will bring a lemon cake");
  await expect(bob.page).toHaveTitle(/^\(1\) /);
  await notice.getByRole("link").click();
  await expect(bob.page).toHaveURL(`/r/${roomId}/t/${rootId}`);
  await expect(replyArticle(bob.page, "I will bring a lemon cake")).toBeVisible();
  // Read once in view: the title's count goes.
  await expect(bob.page).toHaveTitle(new RegExp(`^${escapeRegExp(roomName)} · Chat$`));

  // The thread open and in view calls nobody: a second reply shows no notice; once bob is elsewhere
  // again, a third does (so the second had its chance to call and did not).
  await sendReply(alice.page, "with candles");
  await expect(replyArticle(bob.page, "with candles")).toBeVisible();
  await expect(bob.page).toHaveTitle(new RegExp(`^${escapeRegExp(roomName)} · Chat$`));
  await bob.page.getByRole("link", { name: new RegExp(`^${escapeRegExp(lobby)}`) }).click();
  await expect(bob.page.getByRole("heading", { level: 1, name: lobby })).toBeVisible();
  await sendReply(alice.page, "and sprinkles");
  await expect(notice).toContainText("and sprinkles");
  expect((await statusTexts()).filter((text) => text.includes("with candles"))).toEqual([]);
});

test("a reply with an image: attached in the thread's box, shown in the thread (not the room) for the other person", async ({
  person,
}) => {
  const alice = await person("alice");
  const bob = await person("bob");
  const { roomId } = await openRoomTogether(alice, bob);
  await sendMessage(alice.page, "Which logo do we pick?");
  await replyInThread(messageArticle(alice.page, "Which logo do we pick?"));
  const rootId = threadIdOf(alice.page);
  const chooser = alice.page.waitForEvent("filechooser");
  await threadPanel(alice.page).getByRole("button", { name: "Attach files" }).click();
  await (await chooser).setFiles([{ name: "logo-b.png", mimeType: "image/png", buffer: pngBytes(64, 48) }]);
  await sendReply(alice.page, "This one");
  await expect(replyArticle(alice.page, "This one")).toContainText("✓");
  await expect(messageArticle(alice.page, "This one")).toHaveCount(0);

  await bob.page.goto(`/r/${roomId}/t/${rootId}`);
  const received = replyArticle(bob.page, "This one");
  const image = received.getByRole("img", { name: "logo-b.png" });
  await expect(image).toBeVisible();
  await expect
    .poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
    .toBeGreaterThan(0);
  // A reply kept in its thread: the room's timeline does not show it.
  await expect(messageArticle(bob.page, "This one")).toHaveCount(0);
});
