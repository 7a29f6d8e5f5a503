import {
  dmRoomId,
  notifyLevel,
  roomDocName,
  setDoNotDisturb,
  setNotifyLevel,
  userDocName,
} from "@chat/model";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { readNotifyPrefs } from "../src/notify/notifyPrefs.ts";
import {
  api,
  createStorage,
  Device,
  eventually,
  signUp,
  startTestServer,
  type TestServer,
  type TestStorage,
  type TestUser,
  uniqueName,
} from "./harness.ts";

/**
 * A person's levels and do-not-disturb, written in their own user document on a device, reach
 * `notify_prefs` (what the push sender reads), on the instance the device is connected to.
 */
const devices: Device[] = [];
const device = (server: TestServer, user: TestUser) => {
  const d = new Device(server, user);
  devices.push(d);
  return d;
};
afterEach(() => {
  for (const d of devices.splice(0)) d.destroy();
});

async function createRoom(server: TestServer, owner: TestUser): Promise<string> {
  const { body } = await api(server, "POST", "/api/rooms", { name: uniqueName("room ") }, owner.cookie);
  return body.room.id as string;
}

describe("notification settings in Postgres", () => {
  let storage: TestStorage;
  let server: TestServer | undefined;
  afterAll(async () => {
    await server?.close();
    await storage?.dispose();
  });

  it("follow the person's document; defaults for those who chose nothing; a DM is always all", async () => {
    storage = await createStorage();
    server = await startTestServer(storage);
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const roomId = await createRoom(server, alice);
    const dm = dmRoomId(alice.id, bob.id);
    await device(server, bob).open(roomDocName(dm)); // the DM room exists once opened

    const prefsOf = async (user: TestUser, room = roomId) =>
      (await readNotifyPrefs(server!.db, [alice.id, bob.id], room)).get(user.id);
    expect(await prefsOf(bob)).toEqual({ level: "mentions", dnd: null });

    const index = await device(server, bob).open(userDocName(bob.id));
    setNotifyLevel(index.doc, roomId, "nothing");
    setNotifyLevel(index.doc, dm, "nothing");
    const dnd = { daily: { from: "22:00", to: "07:00", timeZone: "Europe/Paris" } };
    setDoNotDisturb(index.doc, dnd);
    // Three changes, each sent (and copied) as it is made: wait for the last.
    await expect.poll(() => prefsOf(bob), { timeout: 5_000 }).toEqual({ level: "nothing", dnd });
    expect(await prefsOf(alice)).toEqual({ level: "mentions", dnd: null });
    expect((await prefsOf(bob, dm))?.level).toBe("all");
    // Nobody asked about: no query; a room the server does not know: the room default.
    expect((await readNotifyPrefs(server.db, [], roomId)).size).toBe(0);
    expect((await prefsOf(alice, "zzzzzzzzzzzzzzzz"))?.level).toBe("mentions");

    // Another of bob's devices changes it: the row follows; clearing the schedule clears it there.
    const phone = await device(server, bob).open(userDocName(bob.id));
    setNotifyLevel(phone.doc, roomId, "all");
    setDoNotDisturb(phone.doc, null);
    await eventually(
      async () => (await prefsOf(bob))?.level === "all" && (await prefsOf(bob))?.dnd === null,
      5_000,
      "the phone's choice in Postgres",
    );
  });

  it("repairs a row that missed a change when the document loads", async () => {
    await server!.close();
    server = await startTestServer(storage);
    const carol = await signUp(server, "carol");
    const roomId = await createRoom(server, carol);
    const index = await device(server, carol).open(userDocName(carol.id));
    setNotifyLevel(index.doc, roomId, "all");
    await eventually(
      async () => (await readNotifyPrefs(server!.db, [carol.id], roomId)).get(carol.id)?.level === "all",
      5_000,
      "carol's level in Postgres",
    );
    for (const d of devices.splice(0)) d.destroy();
    await server.close();
    server = await startTestServer(storage);
    await server.db.query("delete from notify_prefs where user_id = $1", [carol.id]);
    expect((await readNotifyPrefs(server.db, [carol.id], roomId)).get(carol.id)?.level).toBe("mentions");
    await device(server, carol).open(userDocName(carol.id));
    await eventually(
      async () => (await readNotifyPrefs(server!.db, [carol.id], roomId)).get(carol.id)?.level === "all",
      5_000,
      "the row copied again from the document",
    );
  });
});

const withRedis = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);

describe.runIf(withRedis)("notification settings across instances", () => {
  let storage: TestStorage;
  let one: TestServer;
  let two: TestServer;
  afterAll(async () => {
    await one?.close();
    await two?.close();
    await storage?.dispose();
  });

  it("a change on either instance reaches Postgres and the person's devices on the other", async () => {
    storage = await createStorage();
    const env = { REDIS_URL: process.env.REDIS_URL! };
    one = await startTestServer(storage, 0, env);
    two = await startTestServer(storage, 0, env);
    const dave = await signUp(one, "dave");
    const roomId = await createRoom(one, dave);
    const onOne = await device(one, dave).open(userDocName(dave.id));
    const onTwo = await device(two, dave).open(userDocName(dave.id));
    const levelIn = async (server: TestServer) =>
      (await readNotifyPrefs(server.db, [dave.id], roomId)).get(dave.id)?.level;

    setNotifyLevel(onTwo.doc, roomId, "nothing");
    await eventually(async () => (await levelIn(one)) === "nothing", 10_000, "two's change in Postgres");
    await eventually(
      () => notifyLevel(onOne.doc, roomId, "channel") === "nothing",
      10_000,
      "two's change on the device connected to one",
    );
    setNotifyLevel(onOne.doc, roomId, "all");
    await eventually(async () => (await levelIn(two)) === "all", 10_000, "one's change in Postgres");
    // Both instances copy what they hold: once both are done, the row is the merged state.
    await one.notifyPrefs.settled(dave.id);
    await two.notifyPrefs.settled(dave.id);
    expect(await levelIn(two)).toBe("all");
  });
});
