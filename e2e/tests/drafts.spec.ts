import {
  anotherDevice,
  controllableNetwork,
  createRoomViaApi,
  expect,
  expectOnline,
  installApp,
  messageBox,
  openApp,
  roomLink,
  test,
  uniqueName,
} from "./support.ts";

test("a draft is kept per room, survives a reload and follows the person to their other device", async ({
  person,
}) => {
  const alice = await person("alice");
  const nameA = uniqueName("Drafts");
  const nameB = uniqueName("Other");
  const roomA = await createRoomViaApi(alice.context.request, nameA);
  await createRoomViaApi(alice.context.request, nameB);
  await openApp(alice.page, `/r/${roomA}`);
  await expectOnline(alice.page);
  await messageBox(alice.page).pressSequentially("Half a thought");

  // Another room has its own (empty) draft; coming back shows this room's, moving between rooms in
  // the app as people do (a full page load right after typing is the next test's).
  await roomLink(alice.page, nameB).click();
  await expect(messageBox(alice.page)).toHaveValue("");
  await roomLink(alice.page, nameA).click();
  await expect(messageBox(alice.page)).toHaveValue("Half a thought");
  await alice.page.reload();
  await expect(messageBox(alice.page)).toHaveValue("Half a thought");

  // Her laptop: a fresh browser signed in as her shows the same draft, and typing there reaches the first.
  const { page } = await anotherDevice(person, alice);
  await openApp(page, `/r/${roomA}`);
  await expect(messageBox(page)).toHaveValue("Half a thought");
  await messageBox(page).press("End");
  await messageBox(page).pressSequentially(", finished on the laptop");
  await expect(messageBox(alice.page)).toHaveValue("Half a thought, finished on the laptop");

  // Sending clears the draft everywhere.
  await messageBox(alice.page).press("Enter");
  await expect(messageBox(page)).toHaveValue("");
});

test("the last keystrokes before the page goes away are kept: a reload at once, and a tab closed offline", async ({
  person,
}) => {
  const alice = await person("alice");
  const network = await controllableNetwork(alice.context);
  const room = await createRoomViaApi(alice.context.request, uniqueName("Abrupt"));
  await installApp(alice, `/r/${room}`);
  await expectOnline(alice.page);

  // Typed, and at once a full page load: no pause for anything to be written.
  await messageBox(alice.page).pressSequentially("Typed right before leaving");
  await alice.page.goto(`/r/${room}`);
  await expect(messageBox(alice.page)).toHaveValue("Typed right before leaving");

  // With no network the device's copy is all there is: typed, the tab closed at once, opened again.
  await network.cut();
  await messageBox(alice.page).press("End");
  await messageBox(alice.page).pressSequentially(", then more offline");
  await alice.page.close();
  alice.page = await alice.context.newPage();
  await alice.page.goto(`/r/${room}`);
  await expect(messageBox(alice.page)).toHaveValue("Typed right before leaving, then more offline");

  // Back online, it goes out by itself: her other device shows it.
  await network.restore();
  await expectOnline(alice.page);
  const { page } = await anotherDevice(person, alice);
  await openApp(page, `/r/${room}`);
  await expect(messageBox(page)).toHaveValue("Typed right before leaving, then more offline");
});
