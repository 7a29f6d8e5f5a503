import {
  createRoomViaApi,
  expect,
  expectOnline,
  messageArticle,
  openApp,
  sendMessage,
  test,
  uniqueName,
} from "./support.ts";

test("the connection status says Offline without a network and Online again once it returns, sending what waited", async ({
  person,
}) => {
  const alice = await person("alice");
  const roomId = await createRoomViaApi(alice.context.request, uniqueName("Flaky"));
  await openApp(alice.page, `/r/${roomId}`);
  await expectOnline(alice.page);
  const status = alice.page.getByRole("status", { name: "Connection" });

  await alice.context.setOffline(true);
  await expect(status).toContainText("Offline");
  await sendMessage(alice.page, "written on the train");
  await expect(messageArticle(alice.page, "written on the train")).toBeVisible();

  await alice.context.setOffline(false);
  await expect(status).toContainText("Online");
  await expect(
    messageArticle(alice.page, "written on the train").getByRole("img", { name: "Sent" }),
  ).toBeVisible();
});
