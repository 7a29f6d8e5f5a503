import { hostname } from "node:os";
import {
  appendMessage,
  createMessage,
  createReply,
  dmRoomId,
  listMessages,
  type MessageRecord,
  type NotifyLevel,
  segmentDocName,
  setDoNotDisturb,
  setNotifyLevel,
  userDocName,
} from "@chat/model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import webpush from "web-push";
import {
  api,
  createStorage,
  Device,
  eventually,
  metricValue,
  readMetrics,
  signUp,
  startTestServer,
  type TestServer,
  type TestStorage,
  type TestUser,
  uniqueName,
} from "./harness.ts";
import { LocalPushService, type TestSubscription } from "./localPushService.ts";

let storage: TestStorage;
let server: TestServer;
let pushService: LocalPushService;
const devices: Device[] = [];

beforeAll(async () => {
  pushService = new LocalPushService();
  await pushService.start();
  storage = await createStorage();
  server = await startTestServer(
    storage,
    0,
    {},
    {
      // The push service is on this machine, over http; retries come after 50 ms, 100 ms… not 1 s, 2 s…
      push: { vapidKeys: null, subject: "mailto:ops@chat.invalid", allowLocal: true, firstRetryMs: 50 },
    },
  );
}, 30_000);
afterAll(async () => {
  for (const d of devices) d.destroy();
  await server?.close();
  await storage?.dispose();
  await pushService?.close();
});

async function subscribe(user: TestUser): Promise<TestSubscription> {
  const device = pushService.subscribe();
  const { status, body } = await api(
    server,
    "POST",
    "/api/push/subscriptions",
    device.subscription,
    user.cookie,
  );
  expect(status, JSON.stringify(body)).toBe(201);
  return device;
}

function device(user: TestUser): Device {
  const d = new Device(server, user);
  devices.push(d);
  return d;
}

/** `author` writes `text` in the room and waits until it is numbered. */
async function say(author: Device, authorUser: TestUser, roomId: string, text: string): Promise<string> {
  const { doc } = await author.open(segmentDocName(roomId, 0));
  const message = createMessage(authorUser.id, text);
  appendMessage(doc, message);
  await eventually(
    () => listMessages(doc).find((m) => m.id === message.id)?.seq != null,
    5_000,
    "the message numbered",
  );
  // Its listeners (the push decision among them) have run once its numbering is settled.
  await server.sequencer.settled(segmentDocName(roomId, 0));
  return message.id;
}

/** Appends `message` (a reply, say) to the room as its author and waits until it is numbered. */
async function post(author: Device, roomId: string, message: MessageRecord): Promise<void> {
  const { doc } = await author.open(segmentDocName(roomId, 0));
  appendMessage(doc, message);
  await eventually(
    () => listMessages(doc).find((m) => m.id === message.id)?.seq != null,
    5_000,
    "the reply numbered",
  );
  await server.sequencer.settled(segmentDocName(roomId, 0));
}

/** Sets the person's level for the room and waits until the server's copy has it. */
async function chooseLevel(user: TestUser, roomId: string, level: NotifyLevel): Promise<void> {
  const index = await device(user).open(userDocName(user.id));
  setNotifyLevel(index.doc, roomId, level);
  await eventually(
    async () =>
      (
        await server.db.query("select 1 from notify_prefs where user_id = $1 and levels ->> $2 = $3", [
          user.id,
          roomId,
          level,
        ])
      ).length === 1,
    5_000,
    "the level mirrored",
  );
}

async function publicRoom(owner: TestUser, ...others: TestUser[]): Promise<string> {
  const { body } = await api(
    server,
    "POST",
    "/api/rooms",
    { name: uniqueName("room "), private: false },
    owner.cookie,
  );
  const roomId = body.room.id as string;
  for (const other of others) await api(server, "POST", `/api/rooms/${roomId}/join`, undefined, other.cookie);
  return roomId;
}

describe("web push", () => {
  it("a DM to someone with no device in view reaches their push service: decrypted, signed, with a TTL", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const phone = await subscribe(bob);
    const { body: key } = await api(server, "GET", "/api/push/key", undefined, bob.cookie);
    const messageId = await say(device(alice), alice, dmRoomId(alice.id, bob.id), "lunch at noon?");
    await server.push.settled();
    const [push] = await eventually(
      () => pushService.to(phone.device).length === 1 && pushService.to(phone.device),
    );
    expect(push!.payload).toEqual({
      title: alice.username,
      body: "lunch at noon?",
      url: `/dm/${alice.username}`,
      tag: `room-${dmRoomId(alice.id, bob.id)}`,
      roomId: dmRoomId(alice.id, bob.id),
      messageId,
    });
    expect(push!.ttl).toBe(24 * 60 * 60);
    expect(push!.urgency).toBe("high");
    expect(push!.vapidKey).toBe(key.publicKey);
    expect(pushService.rejected).toEqual([]);
  });

  it("in a room: a mention pushes, a message that mentions nobody does not, and the author hears nothing", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const roomId = await publicRoom(alice, bob);
    const bobPhone = await subscribe(bob);
    const alicePhone = await subscribe(alice);
    const aliceDevice = device(alice);
    await say(aliceDevice, alice, roomId, "morning all");
    await server.push.settled();
    expect(pushService.to(bobPhone.device)).toEqual([]);
    const messageId = await say(aliceDevice, alice, roomId, `@${bob.username} can you review?`);
    await server.push.settled();
    expect(pushService.to(bobPhone.device).map((p) => p.payload)).toEqual([
      expect.objectContaining({
        body: `${alice.username}: @${bob.username} can you review?`,
        url: `/r/${roomId}`,
        messageId,
      }),
    ]);
    expect(pushService.to(bobPhone.device)[0]!.payload).toMatchObject({
      title: expect.stringMatching(/^#room /),
    });
    expect(pushService.to(alicePhone.device)).toEqual([]);
  });

  it("follows each person's level for the room (All messages, Nothing) and pauses while they do not disturb", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const carol = await signUp(server, "carol");
    const roomId = await publicRoom(alice, bob, carol);
    const bobPhone = await subscribe(bob);
    const carolPhone = await subscribe(carol);
    const bobIndex = await device(bob).open(userDocName(bob.id));
    const carolIndex = await device(carol).open(userDocName(carol.id));
    setNotifyLevel(bobIndex.doc, roomId, "all");
    setNotifyLevel(carolIndex.doc, roomId, "nothing");
    await eventually(
      async () =>
        (
          await server.db.query(
            "select 1 from notify_prefs where user_id = any($1::text[]) and levels ? $2",
            [[bob.id, carol.id], roomId],
          )
        ).length === 2,
      5_000,
      "both levels mirrored",
    );
    const aliceDevice = device(alice);
    await say(aliceDevice, alice, roomId, `news for everyone, and @${carol.username}`);
    await server.push.settled();
    expect(pushService.to(bobPhone.device)).toHaveLength(1);
    expect(pushService.to(carolPhone.device)).toEqual([]);

    // An hour of do not disturb: bob hears nothing, however the room is set.
    setDoNotDisturb(bobIndex.doc, { until: Date.now() + 3_600_000 });
    await eventually(
      async () =>
        (await server.db.query("select 1 from notify_prefs where user_id = $1 and dnd is not null", [bob.id]))
          .length === 1,
      5_000,
      "do not disturb mirrored",
    );
    await say(aliceDevice, alice, roomId, "more news");
    await server.push.settled();
    expect(pushService.to(bobPhone.device)).toHaveLength(1);
  });

  it("a reply pushes to the root's author (the thread's path), not to a member at All messages who does not follow", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const carol = await signUp(server, "carol");
    const roomId = await publicRoom(alice, bob, carol);
    const alicePhone = await subscribe(alice);
    const carolPhone = await subscribe(carol);
    await chooseLevel(carol, roomId, "all");
    const rootId = await say(device(alice), alice, roomId, "shall we move standup to 10?");
    await server.push.settled();
    // The root is a room message: carol, at All messages, hears of it.
    expect(pushService.to(carolPhone.device)).toHaveLength(1);

    const reply = createReply(bob.id, "fine by me", rootId);
    await post(device(bob), roomId, reply);
    await server.push.settled();
    expect(pushService.to(alicePhone.device).map((p) => p.payload)).toEqual([
      expect.objectContaining({
        title: expect.stringMatching(/^#room .*, in a thread$/),
        body: `${bob.username}: fine by me`,
        url: `/r/${roomId}/t/${rootId}`,
        messageId: reply.id,
      }),
    ]);
    // Carol follows nothing: a reply kept in its thread is not a room message for her.
    expect(pushService.to(carolPhone.device)).toHaveLength(1);

    // Sent to the room too, it is a room message for carol as well.
    await post(device(bob), roomId, createReply(bob.id, "see you at 10", rootId, { alsoInRoom: true }));
    await server.push.settled();
    expect(pushService.to(carolPhone.device)).toHaveLength(2);
    expect(pushService.to(alicePhone.device)).toHaveLength(2);
  });

  it("a reply in a room set to Nothing pushes nothing to a follower, a mention neither: muted is muted", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const roomId = await publicRoom(alice, bob);
    const alicePhone = await subscribe(alice);
    await chooseLevel(alice, roomId, "nothing");
    const rootId = await say(device(alice), alice, roomId, "who has the release notes?");
    const bobDevice = device(bob);
    await post(bobDevice, roomId, createReply(bob.id, "I think they are on the wiki", rootId));
    await post(bobDevice, roomId, createReply(bob.id, `@${alice.username} found them`, rootId));
    await server.push.settled();
    expect(pushService.to(alicePhone.device)).toEqual([]);

    // Back to the default: the thread calls its follower again.
    await chooseLevel(alice, roomId, "mentions");
    const next = createReply(bob.id, "and the changelog too", rootId);
    await post(bobDevice, roomId, next);
    await server.push.settled();
    expect(pushService.to(alicePhone.device).map((p) => p.payload)).toEqual([
      expect.objectContaining({ url: `/r/${roomId}/t/${rootId}`, messageId: next.id }),
    ]);
  });

  it("nobody is pushed while the app is in view on one of their devices; once it is hidden they are", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const phone = await subscribe(bob);
    const laptop = device(bob);
    const tablet = device(bob);
    await tablet.open(userDocName(bob.id)); // open but hidden: says nothing
    const index = await laptop.open(userDocName(bob.id));
    index.provider.setAwarenessField("inView", true);
    const aliceDevice = device(alice);
    const roomId = dmRoomId(alice.id, bob.id);
    await eventually(async () => (await server.push.looking([bob.id])).has(bob.id), 5_000, "bob in view");
    await say(aliceDevice, alice, roomId, "are you there?");
    await server.push.settled();
    expect(pushService.to(phone.device)).toEqual([]);

    index.provider.setAwarenessField("inView", false);
    await eventually(
      async () => !(await server.push.looking([bob.id])).has(bob.id),
      5_000,
      "bob not in view",
    );
    await say(aliceDevice, alice, roomId, "ping");
    await server.push.settled();
    expect(pushService.to(phone.device).map((p) => (p.payload as { body: string }).body)).toEqual(["ping"]);

    // In view again, then the laptop goes away altogether (its socket closes): pushes resume.
    index.provider.setAwarenessField("inView", true);
    await eventually(async () => (await server.push.looking([bob.id])).has(bob.id), 5_000, "bob in view");
    laptop.destroy();
    await eventually(async () => !(await server.push.looking([bob.id])).has(bob.id), 5_000, "laptop gone");
    await say(aliceDevice, alice, roomId, "pong");
    await server.push.settled();
    expect(pushService.to(phone.device)).toHaveLength(2);
  });

  it("a subscription the push service says is gone (410) is removed, and a 503 is retried", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const carol = await signUp(server, "carol");
    const bobPhone = await subscribe(bob);
    const carolPhone = await subscribe(carol);
    pushService.answer(bobPhone.device, 410);
    pushService.answer(carolPhone.device, 503, 503);
    const aliceDevice = device(alice);
    await say(aliceDevice, alice, dmRoomId(alice.id, bob.id), "hello bob");
    await say(aliceDevice, alice, dmRoomId(alice.id, carol.id), "hello carol");
    await server.push.settled();
    const rows = await server.db.query<{ user_id: string }>(
      "select user_id from push_subscriptions where user_id = any($1::text[])",
      [[bob.id, carol.id]],
    );
    expect(rows.map((r) => r.user_id)).toEqual([carol.id]);
    expect(pushService.to(carolPhone.device).map((p) => (p.payload as { body: string }).body)).toEqual([
      "hello carol",
    ]);
    expect(pushService.attempts.get(carolPhone.device)).toBe(3);
    expect(pushService.attempts.get(bobPhone.device)).toBe(1);
    const metrics = await readMetrics(server);
    expect(metricValue(metrics, 'chat_pushes_total{outcome="expired"}')).toBeGreaterThanOrEqual(1);
    expect(metricValue(metrics, 'chat_pushes_total{outcome="retried"}')).toBeGreaterThanOrEqual(2);
    expect(metricValue(metrics, 'chat_pushes_total{outcome="sent"}')).toBeGreaterThanOrEqual(1);
  });

  it("signing out stops pushes to that device", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const phone = await subscribe(bob);
    expect((await api(server, "POST", "/api/logout", undefined, bob.cookie)).status).toBe(204);
    await say(device(alice), alice, dmRoomId(alice.id, bob.id), "still there?");
    await server.push.settled();
    expect(pushService.to(phone.device)).toEqual([]);
    expect(await server.db.query("select 1 from push_subscriptions where user_id = $1", [bob.id])).toEqual(
      [],
    );
  });

  it("a password change on another device signs this one out, and its pushes stop with it", async () => {
    const bob = await signUp(server, "bob");
    const phone = await subscribe(bob);
    const login = await api(server, "POST", "/api/login", {
      username: bob.username,
      password: "correct horse battery",
    });
    const laptopCookie = login.headers.get("set-cookie")!.split(";")[0]!;
    const changed = await api(
      server,
      "POST",
      "/api/password",
      { currentPassword: "correct horse battery", newPassword: "another horse battery" },
      laptopCookie,
    );
    expect(changed.body).toEqual({ signedOutSessions: 1 });
    expect(
      await server.db.query("select 1 from push_subscriptions where endpoint = $1", [
        phone.subscription.endpoint,
      ]),
    ).toEqual([]);
  });

  it("turning it off (DELETE) stops pushes; only one's own subscription can be removed", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const phone = await subscribe(bob);
    const endpoint = phone.subscription.endpoint;
    expect((await api(server, "DELETE", "/api/push/subscriptions", { endpoint }, alice.cookie)).status).toBe(
      404,
    );
    expect((await api(server, "DELETE", "/api/push/subscriptions", { endpoint }, bob.cookie)).status).toBe(
      204,
    );
    await say(device(alice), alice, dmRoomId(alice.id, bob.id), "hello?");
    await server.push.settled();
    expect(pushService.to(phone.device)).toEqual([]);
  });

  it("numbering does not wait for a push service that never answers", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const phone = await subscribe(bob);
    pushService.answer(phone.device, "hang", "hang", "hang");
    const started = performance.now();
    await say(device(alice), alice, dmRoomId(alice.id, bob.id), "one");
    // Numbered as fast as without pushes (well under the push's 10 s timeout).
    expect(performance.now() - started).toBeLessThan(3_000);
  });
});

describe("push subscriptions: what is refused", () => {
  let production: TestServer;
  let storage2: TestStorage;
  beforeAll(async () => {
    storage2 = await createStorage();
    production = await startTestServer(storage2);
  }, 30_000);
  afterAll(async () => {
    await production?.close();
    await storage2?.dispose();
  });

  const valid = () => pushService.subscribe().subscription;
  const post = (target: TestServer, body: unknown, cookie?: string) =>
    api(target, "POST", "/api/push/subscriptions", body, cookie);

  it("the VAPID key needs a session, and is generated once and kept in Postgres, for every instance", async () => {
    expect((await api(production, "GET", "/api/push/key")).status).toBe(401);
    const user = await signUp(production, "kim");
    const { status, body } = await api(production, "GET", "/api/push/key", undefined, user.cookie);
    expect(status).toBe(200);
    expect(Buffer.from(body.publicKey, "base64url")).toHaveLength(65);
    expect((await api(production, "GET", "/api/push/key", undefined, user.cookie)).body.publicKey).toBe(
      body.publicKey,
    );
    expect(await production.db.query("select public_key from push_vapid_keys")).toEqual([
      { public_key: body.publicKey },
    ]);
  });

  it("VAPID_PUBLIC_KEY/VAPID_PRIVATE_KEY given: that pair is served and signs the pushes", async () => {
    const keys = webpush.generateVAPIDKeys();
    const storage3 = await createStorage();
    const given = await startTestServer(storage3, 0, {
      VAPID_PUBLIC_KEY: keys.publicKey,
      VAPID_PRIVATE_KEY: keys.privateKey,
      PUSH_ALLOW_LOCAL: "true",
    });
    try {
      const alice = await signUp(given, "alice");
      const bob = await signUp(given, "bob");
      expect((await api(given, "GET", "/api/push/key", undefined, bob.cookie)).body.publicKey).toBe(
        keys.publicKey,
      );
      const phone = pushService.subscribe();
      expect((await post(given, phone.subscription, bob.cookie)).status).toBe(201);
      const d = new Device(given, alice);
      devices.push(d);
      const roomId = dmRoomId(alice.id, bob.id);
      const { doc } = await d.open(segmentDocName(roomId, 0));
      appendMessage(doc, createMessage(alice.id, "signed with the given key"));
      await eventually(() => pushService.to(phone.device).length === 1, 10_000, "the push");
      expect(pushService.to(phone.device)[0]!.vapidKey).toBe(keys.publicKey);
      expect(await given.db.query("select 1 from push_vapid_keys")).toEqual([]);
    } finally {
      await given.close();
      await storage3.dispose();
    }
  }, 60_000);

  it("endpoints that are not https, or point at this machine or a private network, are refused with a reason", async () => {
    const user = await signUp(production, "kim");
    const keys = valid().keys;
    const cases: Array<[string, RegExp]> = [
      ["http://push.example.com/x", /must be an https:\/\/ URL/],
      ["https://127.0.0.1/x", /this machine or a private network/],
      ["https://localhost:8443/x", /this machine or a private network/],
      ["https://[::1]/x", /this machine or a private network/],
      ["https://10.1.2.3/x", /this machine or a private network/],
      ["https://192.168.0.7/x", /this machine or a private network/],
      ["https://[::ffff:169.254.169.254]/x", /this machine or a private network/],
      // A name for this machine, resolved when the subscription is made.
      [`https://${hostname()}/x`, /this machine or a private network/],
      ["not a url", /not a URL/],
      ["ftp://push.example.com/x", /must be an https:\/\/ URL/],
    ];
    for (const [endpoint, reason] of cases) {
      const { status, body } = await post(production, { endpoint, keys }, user.cookie);
      expect([endpoint, status]).toEqual([endpoint, 400]);
      expect(body.error).toMatch(reason);
    }
    expect(await production.db.query("select 1 from push_subscriptions")).toEqual([]);
  });

  it("forged keys are refused: a p256dh that is not a P-256 point, an auth secret of the wrong size, none at all", async () => {
    const user = await signUp(server, "kim");
    const { endpoint, keys } = valid();
    const offCurve = Buffer.alloc(65, 7);
    offCurve[0] = 4;
    const cases: Array<[unknown, RegExp]> = [
      [{ endpoint, keys: { ...keys, p256dh: offCurve.toString("base64url") } }, /not a P-256 public key/],
      [
        { endpoint, keys: { ...keys, p256dh: Buffer.alloc(33, 2).toString("base64url") } },
        /must be 65 bytes/,
      ],
      [{ endpoint, keys: { ...keys, auth: Buffer.alloc(10).toString("base64url") } }, /must be 16 bytes/],
      [{ endpoint, keys: { p256dh: keys.p256dh } }, /keys.auth/],
      [{ endpoint }, /keys.p256dh/],
      [{ keys }, /no endpoint/],
      ["nonsense", /Send the browser's push subscription/],
    ];
    for (const [body, reason] of cases) {
      const answer = await post(server, body, user.cookie);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatch(reason);
    }
    expect((await post(server, { endpoint, keys })).status).toBe(401);
  });

  it("a subscription registered by another account is refused (409); the same device again is updated (200)", async () => {
    const alice = await signUp(server, "alice");
    const mallory = await signUp(server, "mallory");
    const subscription = valid();
    expect((await post(server, subscription, alice.cookie)).status).toBe(201);
    expect((await post(server, subscription, alice.cookie)).status).toBe(200);
    const foreign = await post(server, subscription, mallory.cookie);
    expect(foreign.status).toBe(409);
    expect(foreign.body.error).toMatch(/registered to another account/);
    const rows = await server.db.query<{ user_id: string }>(
      "select user_id from push_subscriptions where endpoint = $1",
      [subscription.endpoint],
    );
    expect(rows).toEqual([{ user_id: alice.id }]);
  });
});
