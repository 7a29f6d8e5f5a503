import {
  appendMessage,
  createMessage,
  dmRoomId,
  listMessages,
  segmentDocName,
  userDocName,
} from "@chat/model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  api,
  createStorage,
  Device,
  eventually,
  signUp,
  startTestServer,
  type TestServer,
  type TestStorage,
} from "./harness.ts";
import { LocalPushService } from "./localPushService.ts";

/**
 * Pushes with two instances behind one Postgres and one Redis: the instance that numbers a message
 * decides, and knows whether the person has the app in view on a device connected to the other one.
 */
const enabled = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);

describe.runIf(enabled)("web push across instances", () => {
  let storage: TestStorage;
  let one: TestServer;
  let two: TestServer;
  let pushService: LocalPushService;
  const devices: Device[] = [];
  const push = { vapidKeys: null, subject: "mailto:ops@chat.invalid", allowLocal: true, firstRetryMs: 50 };

  beforeAll(async () => {
    pushService = new LocalPushService();
    await pushService.start();
    storage = await createStorage();
    const env = { REDIS_URL: process.env.REDIS_URL! };
    one = await startTestServer(storage, 0, env, { push });
    two = await startTestServer(storage, 0, env, { push });
  });
  afterAll(async () => {
    for (const d of devices) d.destroy();
    await one?.close();
    await two?.close();
    await storage?.dispose();
    await pushService?.close();
  });

  it("no push while the app is in view on a device connected to the other instance; one once it is hidden", async () => {
    const alice = await signUp(one, "alice");
    const bob = await signUp(two, "bob");
    const phone = pushService.subscribe();
    expect((await api(two, "POST", "/api/push/subscriptions", phone.subscription, bob.cookie)).status).toBe(
      201,
    );
    // The same key on both instances: generated once, kept in Postgres.
    const keyOne = (await api(one, "GET", "/api/push/key", undefined, bob.cookie)).body.publicKey;
    expect((await api(two, "GET", "/api/push/key", undefined, bob.cookie)).body.publicKey).toBe(keyOne);

    const laptop = new Device(two, bob);
    const aliceDevice = new Device(one, alice);
    devices.push(laptop, aliceDevice);
    const index = await laptop.open(userDocName(bob.id));
    index.provider.setAwarenessField("inView", true);
    await eventually(
      async () => (await one.push.looking([bob.id])).has(bob.id),
      5_000,
      "instance one to see bob in view",
    );

    const { doc } = await aliceDevice.open(segmentDocName(dmRoomId(alice.id, bob.id), 0));
    const send = async (text: string) => {
      const message = createMessage(alice.id, text);
      appendMessage(doc, message);
      await eventually(
        () => listMessages(doc).find((m) => m.id === message.id)?.seq != null,
        5_000,
        "numbered",
      );
      await one.sequencer.settled(segmentDocName(dmRoomId(alice.id, bob.id), 0));
      await one.push.settled();
    };
    await send("reading this?");
    expect(pushService.to(phone.device)).toEqual([]);

    index.provider.setAwarenessField("inView", false);
    await eventually(
      async () => !(await one.push.looking([bob.id])).has(bob.id),
      5_000,
      "bob no longer in view",
    );
    await send("now?");
    expect(pushService.to(phone.device).map((p) => (p.payload as { body: string }).body)).toEqual(["now?"]);
    expect(pushService.to(phone.device)[0]!.vapidKey).toBe(keyOne);

    // In view again, then that instance goes away: its claim goes with it.
    index.provider.setAwarenessField("inView", true);
    await eventually(async () => (await one.push.looking([bob.id])).has(bob.id), 5_000, "bob in view again");
    laptop.destroy();
    await eventually(async () => !(await one.push.looking([bob.id])).has(bob.id), 5_000, "the laptop gone");
  });
});
