import type { WebSocketRoute } from "@playwright/test";
import {
  anotherDevice,
  controllableNetwork,
  createRoomViaApi,
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

const connection = (person: Person) => person.page.getByRole("status", { name: "Connection" });

/**
 * A change made offline that the server refuses once it arrives (4403): here an edit of a message
 * that the same person deleted meanwhile on another device ("a deleted message stays deleted"). The
 * device says so, drops the change instead of sending it again forever, and the room, opened afresh,
 * shows what the server says and keeps receiving.
 */
test("a change made offline that the server refuses is said, dropped from the device and never reaches anyone", async ({
  person,
}) => {
  const laptop = await person("alice");
  const roomId = await createRoomViaApi(laptop.context.request, uniqueName("Plans"));
  const roomPath = `/r/${roomId}`;
  await installApp(laptop, roomPath);
  await expectOnline(laptop.page);
  await sendMessage(laptop.page, "Plan for Friday");
  await expect(messageArticle(laptop.page, "Plan for Friday")).toContainText("✓");

  // The same person on a second device, which keeps the room for offline use.
  const phone = await anotherDevice(person, laptop);
  await installApp(phone, roomPath);
  await expectOnline(phone.page);
  await expect(messageArticle(phone.page, "Plan for Friday")).toBeVisible();
  await phone.page.waitForTimeout(2_500);

  // On the train: the phone edits the message with no network.
  await phone.context.setOffline(true);
  await expect(connection(phone)).toContainText("Offline");
  const onPhone = messageArticle(phone.page, "Plan for Friday");
  await onPhone.hover();
  await onPhone.getByRole("button", { name: "Edit message" }).click();
  const editor = messageLog(phone.page).getByRole("textbox", { name: "Edit message" });
  await editor.fill("Plan for Saturday");
  await editor.press("Enter");
  await expect(messageArticle(phone.page, "Plan for Saturday")).toContainText("(edited)");
  await expect(connection(phone)).toContainText("1 pending");

  // Meanwhile the laptop deletes it.
  const onLaptop = messageArticle(laptop.page, "Plan for Friday");
  await onLaptop.hover();
  await onLaptop.getByRole("button", { name: "Delete message" }).click();
  await onLaptop.getByRole("button", { name: "Delete", exact: true }).click();
  await expect(messageArticle(laptop.page, "Plan for Friday")).toHaveCount(0);
  await expect(messageLog(laptop.page)).toContainText("message deleted");

  // The phone comes back: its edit is refused, and it says so.
  await phone.context.setOffline(false);
  const alert = phone.page.getByRole("alert").filter({ hasText: "The server refused a change" });
  await expect(alert).toBeVisible({ timeout: 20_000 });
  await expect(alert).toContainText("a deleted message stays deleted");
  await expect(connection(phone)).not.toContainText("pending");
  // The room is opened afresh from the server at once: it shows the deletion and keeps receiving.
  await expect(messageLog(phone.page)).toContainText("message deleted");
  await expect(phone.page.getByText("Plan for Saturday")).toHaveCount(0);
  await sendMessage(laptop.page, "Still on for Sunday?");
  await expect(messageArticle(phone.page, "Still on for Sunday?")).toBeVisible();

  // After a reload the phone shows what the server has (deleted), and the refused edit is gone
  // from the device: nothing is sent again.
  await alert.getByRole("button", { name: "Reload" }).click();
  await expectOnline(phone.page);
  await expect(messageLog(phone.page)).toContainText("message deleted");
  await expect(phone.page.getByText("Plan for Saturday")).toHaveCount(0);
  await expect(phone.page.getByRole("alert").filter({ hasText: "The server refused" })).toHaveCount(0);
  await expect(connection(phone)).not.toContainText("pending");

  // Nobody else ever saw the edit.
  await laptop.page.reload();
  await expectOnline(laptop.page);
  await expect(messageLog(laptop.page)).toContainText("message deleted");
  await expect(laptop.page.getByText("Plan for Saturday")).toHaveCount(0);
});

/**
 * The other side of the rule above: what an honest device changed twice while offline (an edit
 * edited again, a reaction taken back and given again), sent from its device store after the tab
 * was closed, reaches the server as one state update whose replaced values have no content, and
 * must be accepted as the rewrite it is, not refused. The network is cut for real
 * (`controllableNetwork`): under Chromium's emulated offline the open socket would deliver each
 * change as it was made.
 */
test("changes made twice offline (an edit edited again, a reaction taken back and given again) go through", async ({
  person,
}) => {
  const alice = await person("alice");
  const bob = await person("bob");
  const network = await controllableNetwork(alice.context);
  const roomId = await createRoomViaApi(alice.context.request, uniqueName("Notes"));
  await joinRoomViaApi(bob.context.request, roomId);
  const roomPath = `/r/${roomId}`;
  await installApp(alice, roomPath);
  await openApp(bob.page, roomPath);
  await expectOnline(bob.page);
  await sendMessage(bob.page, "Agenda is up");
  await sendMessage(alice.page, "My note");
  await expect(messageArticle(alice.page, "My note")).toContainText("✓");
  await expect(messageArticle(alice.page, "Agenda is up")).toBeVisible();
  await alice.page.waitForTimeout(2_500);

  await network.cut();
  await expect(connection(alice)).toContainText("Offline");
  for (const [from, to] of [
    ["My note", "My note, second draft"],
    ["My note, second draft", "My note, final"],
  ]) {
    const mine = messageArticle(alice.page, from!);
    await mine.hover();
    await mine.getByRole("button", { name: "Edit message" }).click();
    const editor = messageLog(alice.page).getByRole("textbox", { name: "Edit message" });
    await editor.fill(to!);
    await editor.press("Enter");
    await expect(messageArticle(alice.page, to!)).toContainText("(edited)");
  }
  const agenda = messageArticle(alice.page, "Agenda is up");
  await agenda.hover();
  await agenda.getByRole("button", { name: "Add reaction" }).click();
  await agenda
    .getByRole("group", { name: "Pick a reaction" })
    .getByRole("button", { name: "React with 👍" })
    .click();
  const chips = agenda.getByRole("group", { name: "Reactions" });
  await chips.getByRole("button", { name: "👍 1, reacted by you" }).click();
  await expect(chips).toHaveCount(0);
  await agenda.hover();
  await agenda.getByRole("button", { name: "Add reaction" }).click();
  await agenda
    .getByRole("group", { name: "Pick a reaction" })
    .getByRole("button", { name: "React with 👍" })
    .click();
  await expect(chips.getByRole("button", { name: "👍 1, reacted by you" })).toBeVisible();

  // The tab is closed and opened again, still offline: the changes survive in the device store, and
  // on reconnecting they go out as one state update, in which the values replaced offline (the first
  // edit, the reaction taken back) have no content.
  await alice.page.close();
  alice.page = await alice.context.newPage();
  await alice.page.goto(roomPath);
  await expect(messageArticle(alice.page, "My note, final")).toBeVisible();
  await expect(connection(alice)).toContainText("Offline");

  await network.restore();
  await expectOnline(alice.page);
  await expect(connection(alice)).not.toContainText("pending", { timeout: 20_000 });
  await expect(alice.page.getByRole("alert").filter({ hasText: "The server refused" })).toHaveCount(0);
  await expect(messageArticle(bob.page, "My note, final")).toContainText("(edited)");
  await expect(
    messageArticle(bob.page, "Agenda is up").getByRole("group", { name: "Reactions" }).getByRole("button", {
      name: "👍 1",
      exact: true,
    }),
  ).toBeVisible();
  // And it stays that way on a fresh load from the server.
  await bob.page.reload();
  await expect(messageArticle(bob.page, "My note, final")).toContainText("(edited)");
  await expect(alice.page.getByRole("alert").filter({ hasText: "The server refused" })).toHaveCount(0);
});

/** A Hocuspocus frame's address (its first varString), if the frame is binary and the address short. */
function frameAddress(message: string | Buffer): string | null {
  if (typeof message === "string" || message.length < 1 || message[0]! >= 0x80) return null;
  return message.subarray(1, 1 + message[0]!).toString("utf8");
}

/** The server's close of one document (MessageType.CLOSE = 7), as Hocuspocus writes it; short strings only. */
function documentCloseFrame(address: string, reason: string): Buffer {
  const text = (value: string) => {
    const bytes = Buffer.from(value, "utf8");
    return Buffer.concat([Buffer.from([bytes.length]), bytes]);
  };
  return Buffer.concat([text(address), Buffer.from([7]), text(reason)]);
}

/** The server's acknowledgement of a change (MessageType.SyncStatus = 8, applied). */
function syncStatusFrame(address: string): Buffer {
  const bytes = Buffer.from(address, "utf8");
  return Buffer.concat([Buffer.from([bytes.length]), bytes, Buffer.from([8, 1])]);
}

/**
 * The server closes one document of a device and not its socket (a refusal other than a refused
 * write, or one of Hocuspocus's own): the provider stays attached to a document nobody serves. Left
 * alone, the room would look open and never update again. Here bob's socket goes through Playwright,
 * which ends his connection to the room's segment on the server and tells his app the way the server
 * does.
 */
test("a room the server closes alone says so, opens again by itself and keeps receiving", async ({
  person,
}) => {
  const alice = await person("alice");
  const bob = await person("bob");
  const roomId = await createRoomViaApi(alice.context.request, uniqueName("Steady"));
  await joinRoomViaApi(bob.context.request, roomId);
  const segment = `room:${roomId}/0\0`;
  let address: string | null = null;
  let closing = false;
  const sockets: Array<{ page: WebSocketRoute; server: WebSocketRoute }> = [];
  await bob.context.routeWebSocket(/\/sync/, (page) => {
    const server = page.connectToServer();
    sockets.push({ page, server });
    page.onMessage((message) => {
      address ??= frameAddress(message)?.startsWith(segment) ? frameAddress(message) : null;
      server.send(message);
    });
    server.onMessage((message) => {
      // The server's answer to the close sent in bob's name below: bob's app hears the real reason instead.
      if (
        closing &&
        typeof message !== "string" &&
        frameAddress(message) === address &&
        message[1 + message[0]!] === 7
      )
        return;
      page.send(message);
    });
    page.onClose((code, reason) => server.close({ code: code && code >= 3000 ? code : 1000, reason }));
    server.onClose((code, reason) => page.close({ code: code && code >= 3000 ? code : 1000, reason }));
  });
  await openApp(alice.page, `/r/${roomId}`);
  await expectOnline(alice.page);
  await openApp(bob.page, `/r/${roomId}`);
  await expectOnline(bob.page);
  await sendMessage(alice.page, "before the close");
  await expect(messageArticle(bob.page, "before the close")).toBeVisible();
  await expect.poll(() => address).not.toBeNull();

  const { page, server } = sockets[sockets.length - 1]!;
  closing = true;
  server.send(documentCloseFrame(address!, "")); // ends bob's connection to the segment on the server
  page.send(documentCloseFrame(address!, "forbidden-presence: presence too large"));
  // The acknowledgement of a change bob sent just before may come after the close: it must not make
  // the room look open again (it did, and the notice went while nothing was open).
  page.send(syncStatusFrame(address!));
  // Said while it reopens (a second or so), then gone.
  const notice = bob.page
    .getByRole("status")
    .filter({ hasText: "Reconnecting this conversation" })
    .filter({ hasText: "forbidden-presence: presence too large" });
  await expect(notice).toBeVisible();
  await expect(notice).toBeHidden({ timeout: 15_000 });
  closing = false;

  await sendMessage(alice.page, "after the close");
  await expect(messageArticle(bob.page, "after the close")).toBeVisible();
});
