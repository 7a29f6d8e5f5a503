import { dmLink, expect, expectOnline, openApp, test } from "./support.ts";

/**
 * Who is online comes from the directory's presence, renewed only every few minutes
 * (model/presencePace.ts): leaving must still show at once (the server removes a closed connection's
 * presence), and a device that was away must not keep showing people who left meanwhile (its
 * provider drops what it held when its connection closes).
 */
test("online: someone closing the app goes offline at once, also for a device that was away meanwhile", async ({
  person,
}) => {
  const alice = await person("alice");
  const bob = await person("bob");
  const carol = await person("carol");
  await openApp(alice.page);
  await openApp(bob.page);
  await openApp(carol.page);
  await expect(dmLink(alice.page, bob.username)).toHaveAccessibleName(/online/);
  await expect(dmLink(alice.page, carol.username)).toHaveAccessibleName(/online/);

  // Bob closes the app: his connection's presence goes with it.
  await bob.page.close();
  await expect(dmLink(alice.page, bob.username)).not.toHaveAccessibleName(/online/);

  // Alice is away while Carol leaves; back online, she does not still see Carol.
  await alice.context.setOffline(true);
  await expect(alice.page.getByRole("status", { name: "Connection" })).toContainText("Offline");
  await carol.page.close();
  await alice.context.setOffline(false);
  await expectOnline(alice.page);
  await expect(dmLink(alice.page, carol.username)).not.toHaveAccessibleName(/online/);
});
