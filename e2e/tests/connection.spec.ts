import type { WebSocketRoute } from "@playwright/test";
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

test("when the server drops the socket the status says Connecting, the app retries by itself, waiting longer each time, and sends what waited", async ({
  person,
}) => {
  test.setTimeout(90_000);
  const alice = await person("alice");
  const roomId = await createRoomViaApi(alice.context.request, uniqueName("Dropped"));
  // Every socket to /sync goes through here: passed on to the real server while it is "reachable",
  // refused at once while it is not. The browser keeps its network: no `online` event ever fires.
  let reachable = true;
  const attempts: number[] = [];
  const live: Array<{ page: WebSocketRoute; server: WebSocketRoute }> = [];
  await alice.page.routeWebSocket(/\/sync/, async (page) => {
    if (!reachable) {
      attempts.push(Date.now());
      await page.close({ code: 1011, reason: "server unreachable" });
      return;
    }
    live.push({ page, server: page.connectToServer() });
  });
  await openApp(alice.page, `/r/${roomId}`);
  await expectOnline(alice.page);
  const status = alice.page.getByRole("status", { name: "Connection" });

  reachable = false;
  for (const { page, server } of live.splice(0)) {
    await server.close();
    await page.close({ code: 1001, reason: "going away" });
  }
  await expect(status).toContainText("Connecting");
  await expect(status).not.toContainText("Offline");
  await expect(status).toContainText(/retry in \d+ s/);
  expect(await alice.page.evaluate(() => navigator.onLine)).toBe(true);
  await sendMessage(alice.page, "written while the server was away");
  await expect(messageArticle(alice.page, "written while the server was away")).toContainText("Pending");

  // Four refused attempts, by itself; the wait after the third failure is at least two seconds.
  await expect.poll(() => attempts.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(4);
  expect(attempts[3]! - attempts[2]!).toBeGreaterThanOrEqual(1_900);
  await expect(status).toContainText("Connecting");

  reachable = true;
  await expect(status).toContainText("Online", { timeout: 40_000 });
  await expect(status).not.toContainText("retry");
  await expect(
    messageArticle(alice.page, "written while the server was away").getByRole("img", { name: "Sent" }),
  ).toBeVisible();
});

test("a server that accepts the socket but never answers is given up after ten seconds and tried again", async ({
  person,
}) => {
  test.setTimeout(60_000);
  const alice = await person("alice");
  const roomId = await createRoomViaApi(alice.context.request, uniqueName("Silent"));
  // The first socket opens and stays silent (nothing is passed to the server); later ones get through.
  let sockets = 0;
  await alice.page.routeWebSocket(/\/sync/, (page) => {
    sockets += 1;
    if (sockets > 1) page.connectToServer();
  });
  await openApp(alice.page, `/r/${roomId}`);
  const status = alice.page.getByRole("status", { name: "Connection" });
  // An open socket that has not heard from the server is not "Online".
  await expect(status).toContainText("Connecting");
  await alice.page.waitForTimeout(2_000);
  await expect(status).toContainText("Connecting");
  expect(sockets).toBe(1);
  await expect(status).toContainText("Online", { timeout: 20_000 });
  expect(sockets).toBe(2);
});
