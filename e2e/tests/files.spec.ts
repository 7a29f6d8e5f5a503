import type { Page } from "@playwright/test";
import { pdfBytes, pngBytes } from "./fileFixtures.ts";
import {
  createRoomViaApi,
  expect,
  expectOnline,
  installApp,
  joinRoomViaApi,
  messageArticle,
  messageBox,
  messageLog,
  openApp,
  type Person,
  sendMessage,
  test,
  uniqueName,
} from "./support.ts";

/** Files as the chooser hands them over. */
const png = (name: string, width: number, height: number, hue = 210) => ({
  name,
  mimeType: "image/png",
  buffer: pngBytes(width, height, hue),
});
const pdf = (name: string, text = "Quarterly report") => ({
  name,
  mimeType: "application/pdf",
  buffer: pdfBytes(text),
});

const connection = (person: Person) => person.page.getByRole("status", { name: "Connection" });
const composer = (page: Page) => page.locator("form.composer");

/** Chooses files with "Attach files" (the system file chooser, answered by Playwright). */
async function attach(page: Page, files: Array<{ name: string; mimeType: string; buffer: Buffer }>) {
  const chooser = page.waitForEvent("filechooser");
  await page.getByRole("button", { name: "Attach files" }).click();
  const dialog = await chooser;
  expect(dialog.isMultiple()).toBe(true);
  await dialog.setFiles(files);
}

/** Pastes an image into the message box, as a screenshot from the clipboard arrives. */
async function pasteImage(page: Page, name: string, bytes: Buffer) {
  await messageBox(page).focus();
  await messageBox(page).evaluate(
    (box, { name, base64 }) => {
      const raw = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const data = new DataTransfer();
      data.items.add(new File([raw], name, { type: "image/png" }));
      box.dispatchEvent(
        new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }),
      );
    },
    { name, base64: bytes.toString("base64") },
  );
}

/** The image has arrived and been decoded (not a broken image). */
async function expectLoaded(image: ReturnType<Page["getByRole"]>) {
  await expect
    .poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
    .toBeGreaterThan(0);
}

test("files by chooser and by paste: the other person sees the images, views them, downloads the PDF; others get 404", async ({
  person,
  playwright,
  baseURL,
}) => {
  const alice = await person("alice");
  const bob = await person("bob");
  const carol = await person("carol");
  const roomId = await createRoomViaApi(alice.context.request, uniqueName("Design"));
  await joinRoomViaApi(bob.context.request, roomId);
  await openApp(bob.page, `/r/${roomId}`);
  await openApp(alice.page, `/r/${roomId}`);
  await expectOnline(alice.page);
  await expectOnline(bob.page);

  // Chosen files show in the composer, each removable; text is typed alongside.
  await attach(alice.page, [png("whiteboard.png", 1200, 800), pdf("report.pdf"), pdf("draft.pdf")]);
  const chosen = composer(alice.page).getByRole("list", { name: "Files to send" });
  await expect(chosen.getByRole("listitem")).toHaveCount(3);
  await expect(chosen.getByRole("listitem").filter({ hasText: "whiteboard.png" })).toContainText("KB");
  await chosen.getByRole("button", { name: "Remove draft.pdf" }).click();
  await expect(chosen.getByRole("listitem")).toHaveCount(2);
  // A pasted screenshot joins them.
  await pasteImage(alice.page, "sketch.png", pngBytes(600, 900, 20));
  await expect(chosen.getByRole("button", { name: "Remove sketch.png" })).toBeVisible();

  // While a file uploads, its message shows at once with a progress bar; the upload is held back here.
  let release!: () => void;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  await alice.page.route(/\/api\/rooms\/[^/]+\/files\/[^/]+$/, async (route) => {
    await held;
    await route.continue();
  });
  await sendMessage(alice.page, "The Q3 numbers and the whiteboard");
  await expect(chosen).toHaveCount(0);
  const sent = messageArticle(alice.page, "The Q3 numbers and the whiteboard");
  await expect(sent).toContainText("Pending");
  const progress = sent.getByRole("progressbar", { name: "Uploading whiteboard.png" });
  await expect(progress).toBeVisible();
  await expect(progress).toHaveAttribute("aria-valuenow", /^\d+$/);
  await expect(connection(alice)).toContainText("1 pending");
  // Nobody else sees a message whose files are not all stored.
  await expect(messageLog(bob.page).getByText("The Q3 numbers")).toHaveCount(0);
  release();
  await expect(sent).toContainText("✓", { timeout: 20_000 });
  await expect(sent.getByRole("progressbar")).toHaveCount(0);

  // Bob sees the message with its files: the images inline from their thumbnails, sized before they load.
  const received = messageArticle(bob.page, "The Q3 numbers and the whiteboard");
  const whiteboard = received.getByRole("img", { name: "whiteboard.png" });
  await expect(whiteboard).toHaveAttribute("src", /^\/api\/files\/[a-z0-9]+\/thumbnail$/);
  await expect(whiteboard).toHaveAttribute("width", "1200");
  await expect(whiteboard).toHaveAttribute("height", "800");
  await expectLoaded(whiteboard);
  const box = (await whiteboard.boundingBox())!;
  expect(Math.abs(box.width / box.height - 1.5)).toBeLessThan(0.02);
  await expectLoaded(received.getByRole("img", { name: "sketch.png" }));

  // The viewer: named by the file, full size, arrow keys move between the message's images, Escape closes.
  await whiteboard.click();
  const viewer = bob.page.getByRole("dialog", { name: "whiteboard.png" });
  await expect(viewer).toBeVisible();
  const full = viewer.getByRole("img", { name: "whiteboard.png" });
  await expect(full).toHaveAttribute("src", /^\/api\/files\/[a-z0-9]+$/);
  await expect.poll(() => full.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1200);
  await bob.page.keyboard.press("ArrowRight");
  await expect(bob.page.getByRole("dialog", { name: "sketch.png" })).toBeVisible();
  await bob.page.keyboard.press("ArrowLeft");
  await expect(bob.page.getByRole("dialog", { name: "whiteboard.png" })).toBeVisible();
  await bob.page.keyboard.press("Escape");
  await expect(bob.page.getByRole("dialog")).toHaveCount(0);

  // The PDF is a link named by the file, with its size and type beside it; it downloads.
  const link = received.getByRole("link", { name: "report.pdf", exact: true });
  await expect(received).toContainText(/\d+ B · PDF/);
  const downloading = bob.page.waitForEvent("download");
  await link.click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe("report.pdf");
  const saved = await download.createReadStream();
  const chunks: Buffer[] = [];
  for await (const chunk of saved) chunks.push(chunk as Buffer);
  expect(Buffer.concat(chunks).equals(pdfBytes("Quarterly report"))).toBe(true);

  // Someone who is not in this public room may preview it, its files too; nobody signed in gets 404
  // (files.test.ts: someone outside a private room gets 404 as well).
  const imageUrl = (await whiteboard.getAttribute("src"))!.replace(/\/thumbnail$/, "");
  const pdfUrl = (await link.getAttribute("href"))!;
  const anonymous = await playwright.request.newContext({ baseURL });
  for (const url of [imageUrl, `${imageUrl}/thumbnail`, pdfUrl]) {
    expect((await bob.context.request.get(url)).status(), url).toBe(200);
    expect((await carol.context.request.get(url)).status(), url).toBe(200);
    expect((await anonymous.get(url)).status(), url).toBe(404);
  }
  await anonymous.dispose();

  // Search finds the message by a file's name; has:image and has:file keep messages with files.
  const search = bob.page.getByRole("searchbox", { name: "Search messages" });
  const results = bob.page.getByRole("region", { name: "Search results" });
  await search.fill("whiteboard");
  await expect(results.getByRole("link")).toHaveCount(1);
  await expect(results.getByRole("link")).toContainText("whiteboard.png");
  await search.fill("has:image");
  await expect(results.getByRole("link")).toHaveCount(1);
  await search.fill("report has:file");
  await expect(results.getByRole("link")).toHaveCount(1);
});

test("files attached offline wait on the device through a reload, go when the network returns, and reach the other person", async ({
  person,
}) => {
  const alice = await person("alice");
  const bob = await person("bob");
  const roomId = await createRoomViaApi(alice.context.request, uniqueName("Field"));
  await joinRoomViaApi(bob.context.request, roomId);
  await openApp(bob.page, `/r/${roomId}`);
  await expectOnline(bob.page);
  await installApp(alice, `/r/${roomId}`);
  await expectOnline(alice.page);
  await sendMessage(alice.page, "Heading into the tunnel");
  await expect(messageArticle(alice.page, "Heading into the tunnel")).toContainText("✓");

  await alice.context.setOffline(true);
  await expect(connection(alice)).toContainText("Offline");
  await attach(alice.page, [png("site-photo.png", 800, 600, 120), pdf("site-notes.pdf", "Site notes")]);
  await sendMessage(alice.page, "Photos from the site");
  const waiting = messageArticle(alice.page, "Photos from the site");
  await expect(waiting).toContainText("Pending");
  await expect(waiting.getByRole("img", { name: "site-photo.png" })).toBeVisible();
  await expect(waiting).toContainText("site-notes.pdf");
  // Counted with the other changes waiting for the server (the read position moved too).
  await expect(connection(alice)).toContainText(/[1-9]\d* pending/);

  // A reload offline (the service worker serves the app): the files are still on the device.
  await alice.page.reload();
  const afterReload = messageArticle(alice.page, "Photos from the site");
  await expect(afterReload).toContainText("Pending");
  await expectLoaded(afterReload.getByRole("img", { name: "site-photo.png" }));
  await expect(connection(alice)).toContainText(/[1-9]\d* pending/);
  await expect(messageLog(bob.page).getByText("Photos from the site")).toHaveCount(0);

  // The network returns: the files upload by themselves, and the message follows them.
  await alice.context.setOffline(false);
  await expectOnline(alice.page);
  await expect(afterReload).toContainText("✓", { timeout: 30_000 });
  await expect(connection(alice)).not.toContainText("pending");
  const received = messageArticle(bob.page, "Photos from the site");
  await expectLoaded(received.getByRole("img", { name: "site-photo.png" }));
  await expect(received.getByRole("link", { name: "site-notes.pdf" })).toBeVisible();
  // Once, even after a fresh load from the server.
  await bob.page.reload();
  await expect(
    messageLog(bob.page).getByRole("article").filter({ hasText: "Photos from the site" }),
  ).toHaveCount(1);
});

test("an image this device has shown once shows again offline, inline and in the viewer", async ({
  person,
}) => {
  const alice = await person("alice");
  const bob = await person("bob");
  const roomId = await createRoomViaApi(alice.context.request, uniqueName("Gallery"));
  await joinRoomViaApi(bob.context.request, roomId);
  await openApp(alice.page, `/r/${roomId}`);
  await attach(alice.page, [png("harbour.png", 1000, 500, 190)]);
  await sendMessage(alice.page, "The harbour at dawn");
  await expect(messageArticle(alice.page, "The harbour at dawn")).toContainText("✓", { timeout: 20_000 });

  await installApp(bob, `/r/${roomId}`);
  const image = messageArticle(bob.page, "The harbour at dawn").getByRole("img", { name: "harbour.png" });
  await expectLoaded(image);
  await image.click();
  const full = bob.page
    .getByRole("dialog", { name: "harbour.png" })
    .getByRole("img", { name: "harbour.png" });
  await expect.poll(() => full.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1000);
  await bob.page.keyboard.press("Escape");
  // The service worker kept both (the browser's own HTTP cache might too, but may drop them any time).
  const src = (await image.getAttribute("src"))!;
  const cached = () =>
    bob.page.evaluate(async () => {
      const cache = await caches.open("chat-files");
      return (await cache.keys()).map((request) => new URL(request.url).pathname).sort();
    });
  await expect.poll(cached).toEqual([src.replace(/\/thumbnail$/, ""), src]);
  // The device store writes as changes arrive; give it a moment to hold the room.
  await bob.page.waitForTimeout(2_000);

  await bob.context.setOffline(true);
  await bob.page.reload();
  await expect(connection(bob)).toContainText("Offline");
  const offline = messageArticle(bob.page, "The harbour at dawn").getByRole("img", { name: "harbour.png" });
  await expectLoaded(offline);
  await offline.click();
  const offlineFull = bob.page
    .getByRole("dialog", { name: "harbour.png" })
    .getByRole("img", { name: "harbour.png" });
  await expect.poll(() => offlineFull.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1000);
});

test("bad files get a clear sentence on the file, and nothing typed is lost", async ({ person }) => {
  const alice = await person("alice");
  const roomId = await createRoomViaApi(alice.context.request, uniqueName("Limits"));
  await openApp(alice.page, `/r/${roomId}`);
  await expectOnline(alice.page);

  // Files dropped anywhere on the room join the message being written.
  const dropped = await alice.page.evaluateHandle(
    (bytes) => {
      const data = new DataTransfer();
      data.items.add(new File([new Uint8Array(bytes)], "dropped.pdf", { type: "application/pdf" }));
      return data;
    },
    [...pdfBytes("Dropped")],
  );
  const log = messageLog(alice.page);
  for (const type of ["dragenter", "dragover", "drop"])
    await log.dispatchEvent(type, { dataTransfer: dropped });
  const chosen = composer(alice.page).getByRole("list", { name: "Files to send" });
  await expect(chosen.getByRole("button", { name: "Remove dropped.pdf" })).toBeVisible();
  await chosen.getByRole("button", { name: "Remove dropped.pdf" }).click();

  // An empty file cannot be sent: the composer says so on the file and keeps the text and the rest.
  await attach(alice.page, [
    { name: "empty.txt", mimeType: "text/plain", buffer: Buffer.alloc(0) },
    pdf("fine.pdf"),
  ]);
  await messageBox(alice.page).fill("Two files");
  await expect(chosen.getByRole("listitem").filter({ hasText: "empty.txt" })).toContainText("empty");
  await messageBox(alice.page).press("Enter");
  await expect(
    composer(alice.page).getByRole("alert").filter({ hasText: "empty.txt cannot be sent" }),
  ).toBeVisible();
  await expect(messageBox(alice.page)).toHaveValue("Two files");
  await chosen.getByRole("button", { name: "Remove empty.txt" }).click();

  // Over the server's limit (2 MB for these tests, told with the session): said on the file as it
  // is chosen, so it never waits to upload; removing it sends the rest, text included. (The server
  // refusing a file that waited is fileSender.test.ts's, and its 413 the API tests'.)
  await attach(alice.page, [
    { name: "too-big.bin", mimeType: "application/octet-stream", buffer: Buffer.alloc(3 * 1024 * 1024, 7) },
  ]);
  await expect(chosen.getByRole("listitem").filter({ hasText: "too-big.bin" })).toContainText(
    "this server takes files up to 2 MB",
  );
  await messageBox(alice.page).press("Enter");
  await expect(
    composer(alice.page).getByRole("alert").filter({ hasText: "too-big.bin cannot be sent" }),
  ).toBeVisible();
  await chosen.getByRole("button", { name: "Remove too-big.bin" }).click();
  await messageBox(alice.page).press("Enter");
  const sent = messageArticle(alice.page, "Two files");
  await expect(sent).toContainText("✓", { timeout: 20_000 });
  await expect(sent.getByRole("link", { name: "fine.pdf" })).toBeVisible();
  await expect(sent).not.toContainText("too-big.bin");
  await expect(connection(alice)).not.toContainText("pending");
});

test("on a 390 px phone nothing is wider than the screen: chosen files wrap, images scale down", async ({
  person,
}) => {
  const alice = await person("alice", {
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
  });
  const roomId = await createRoomViaApi(alice.context.request, uniqueName("Phone"));
  const { page } = alice;
  const layoutWidth = () => page.evaluate(() => [window.innerWidth, document.documentElement.scrollWidth]);
  await openApp(page, `/r/${roomId}`);
  await expectOnline(page);

  await attach(page, [
    png("a-very-wide-panorama-of-the-whole-harbour-at-dawn.png", 1800, 400, 30),
    pdf("Quarterly report for the operations team, final version, approved.pdf"),
    png("portrait.png", 400, 900, 300),
  ]);
  await expect(composer(page).getByRole("listitem")).toHaveCount(3);
  expect(await layoutWidth()).toEqual([390, 390]);
  await sendMessage(page, "Everything from today");
  const message = messageArticle(page, "Everything from today");
  await expect(message).toContainText("✓", { timeout: 20_000 });
  const panorama = message.getByRole("img", { name: /panorama/ });
  await expectLoaded(panorama);
  expect(await layoutWidth()).toEqual([390, 390]);
  for (const element of [panorama, message.getByRole("link", { name: /Quarterly report/ })]) {
    const box = (await element.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(390);
  }
  // The log itself never scrolls sideways.
  const log = messageLog(page);
  expect(await log.evaluate((element) => element.scrollWidth <= element.clientWidth)).toBe(true);
});
