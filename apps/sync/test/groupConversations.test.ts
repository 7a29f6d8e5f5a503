import {
  appendMessage,
  createMessage,
  dmRoomId,
  getIndexedRoom,
  isMember,
  listMessages,
  parseCloseReason,
  roomDocName,
  segmentDocName,
  userDocName,
} from "@chat/model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  api,
  closeReason,
  createStorage,
  Device,
  eventually,
  signUp,
  startTestServer,
  type TestServer,
  type TestStorage,
  type TestUser,
} from "./harness.ts";
import { TcpProxy } from "./tcpProxy.ts";

let storage: TestStorage;
let server: TestServer;
const devices: Device[] = [];
const device = (user: TestUser, on = server) => {
  const d = new Device(on, user);
  devices.push(d);
  return d;
};

beforeAll(async () => {
  storage = await createStorage();
  server = await startTestServer(storage);
});
afterAll(async () => {
  for (const d of devices) d.destroy();
  await server?.close();
  await storage?.dispose();
});

const start = (starter: TestUser, usernames: string[], on = server) =>
  api(on, "POST", "/api/conversations", { usernames }, starter.cookie);

const people = (count: number, prefix = "p") =>
  Promise.all(Array.from({ length: count }, () => signUp(server, prefix)));

const roomCount = async () =>
  Number((await server.db.query<{ n: number }>("select count(*)::int as n from rooms"))[0]!.n);

const sorted = (names: string[]) => [...names].sort().join(", ");

describe("group conversations (POST /api/conversations)", () => {
  it("starts a group of 2 to 8 others; everyone's index names it by the others' usernames", async () => {
    const [alice, ...others] = await people(9, "g");
    for (const count of [2, 8]) {
      const chosen = others.slice(0, count);
      const answer = await start(
        alice!,
        chosen.map((p) => p.username),
      );
      expect(answer.status).toBe(201);
      expect(answer.body.room.kind).toBe("group");
      expect(answer.body.room.name).toBe("");
      const roomId = answer.body.room.id as string;
      const members = await server.db.query<{ user_id: string }>(
        "select user_id from room_members where room_id = $1",
        [roomId],
      );
      expect(members.map((m) => m.user_id).sort()).toEqual([alice!, ...chosen].map((p) => p.id).sort());
      for (const person of [alice!, chosen[0]!]) {
        const index = await device(person).open(userDocName(person.id));
        const expected = sorted([alice!, ...chosen].filter((p) => p !== person).map((p) => p.username));
        await eventually(
          () => getIndexedRoom(index.doc, roomId)?.name === expected,
          5_000,
          `${person.username}'s index names the group "${expected}"`,
        );
        expect(getIndexedRoom(index.doc, roomId)?.kind).toBe("group");
      }
    }
  });

  it("the same people again, in any order and with the starter among them, open the same room", async () => {
    const [alice, bob, carol, dave] = await people(4, "s");
    const first = await start(alice!, [bob!.username, carol!.username]);
    expect(first.status).toBe(201);
    const rooms = await roomCount();
    const again = await start(alice!, [carol!.username, `@${bob!.username.toUpperCase()}`]);
    expect(again.status).toBe(200);
    expect(again.body.room.id).toBe(first.body.room.id);
    // Someone else of the same three starts it: still the same one.
    const fromCarol = await start(carol!, [alice!.username, bob!.username, carol!.username]);
    expect(fromCarol.status).toBe(200);
    expect(fromCarol.body.room.id).toBe(first.body.room.id);
    expect(await roomCount()).toBe(rooms);
    // Another set of people is another conversation.
    const bigger = await start(alice!, [bob!.username, carol!.username, dave!.username]);
    expect(bigger.status).toBe(201);
    expect(bigger.body.room.id).not.toBe(first.body.room.id);
  });

  it("people starting the same group at the same moment get one room", async () => {
    const [alice, bob, carol] = await people(3, "c");
    const answers = await Promise.all([
      start(alice!, [bob!.username, carol!.username]),
      start(bob!, [carol!.username, alice!.username]),
      start(carol!, [alice!.username, bob!.username]),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 201]);
    expect(new Set(answers.map((a) => a.body.room.id)).size).toBe(1);
  });

  it("one other person is their DM, as /dm/<username> opens it", async () => {
    const [alice, bob] = await people(2, "d");
    const answer = await start(alice!, [bob!.username]);
    expect(answer.status).toBe(200);
    expect(answer.body.room).toMatchObject({ id: dmRoomId(alice!.id, bob!.id), kind: "dm" });
  });

  it("refuses oneself only, 9 others, an unknown username, with a sentence, and changes nothing", async () => {
    const [alice, ...others] = await people(10, "r");
    const before = await roomCount();
    const cases: Array<[string[], number, RegExp]> = [
      [[alice!.username], 400, /besides yourself/],
      [[], 400, /at least one person/],
      [others.slice(0, 9).map((p) => p.username), 400, /at most 8 other people; you chose 9/],
      [[others[0]!.username, "nobody-here"], 404, /There is no one called "nobody-here"/],
    ];
    for (const [usernames, status, message] of cases) {
      const answer = await start(alice!, usernames);
      expect(answer.status, usernames.join(" ")).toBe(status);
      expect(answer.body.error).toMatch(message);
    }
    expect(
      (await api(server, "POST", "/api/conversations", { usernames: "bob" }, alice!.cookie)).status,
    ).toBe(400);
    expect(
      (await api(server, "POST", "/api/conversations", { usernames: [others[0]!.username] })).status,
    ).toBe(401);
    expect(await roomCount()).toBe(before);
  });

  it("only its people open its documents; a message reaches the others", async () => {
    const [alice, bob, carol, eve] = await people(4, "m");
    const roomId = (await start(alice!, [bob!.username, carol!.username])).body.room.id as string;
    for (const name of [roomDocName(roomId), segmentDocName(roomId, 0)])
      await expect(device(eve!).open(name)).rejects.toThrow(/forbidden/);
    expect((await api(server, "POST", `/api/rooms/${roomId}/join`, undefined, eve!.cookie)).status).toBe(404);

    const bobs = await device(bob!).open(segmentDocName(roomId, 0));
    const carolsDevice = device(carol!);
    const carols = await carolsDevice.open(segmentDocName(roomId, 0));
    const carolsIndex = await carolsDevice.open(userDocName(carol!.id));
    appendMessage(bobs.doc, createMessage(bob!.id, `hello @${eve!.username}`));
    await eventually(
      () => listMessages(carols.doc).some((m) => m.text.startsWith("hello") && m.seq !== null),
      5_000,
      "bob's message at carol's, numbered",
    );
    // A mention brings nobody into a group conversation. The numbered message's listeners run in
    // order (mention invites, then the index): once carol's count moved, the invites were decided.
    await eventually(() => getIndexedRoom(carolsIndex.doc, roomId)?.unread === 1, 5_000, "carol's unread");
    const room = await device(alice!).open(roomDocName(roomId));
    expect(isMember(room.doc, eve!.id)).toBe(false);
    expect(
      await server.db.query("select 1 from room_members where room_id = $1 and user_id = $2", [
        roomId,
        eve!.id,
      ]),
    ).toEqual([]);
  });

  it("nobody adds or removes people; anyone leaves, and the group is then the others' conversation", async () => {
    const [alice, bob, carol, dave] = await people(4, "l");
    const roomId = (await start(alice!, [bob!.username, carol!.username, dave!.username])).body.room
      .id as string;
    const add = await api(server, "POST", `/api/rooms/${roomId}/members`, { username: "x" }, alice!.cookie);
    expect(add.status).toBe(403);
    expect(add.body.error).toMatch(/group conversation is its people/);
    const remove = await api(
      server,
      "DELETE",
      `/api/rooms/${roomId}/members/${bob!.id}`,
      undefined,
      alice!.cookie,
    );
    expect(remove.status).toBe(403);

    const bobIndex = await device(bob!).open(userDocName(bob!.id));
    const daves = device(dave!);
    const daveRoom = await daves.open(roomDocName(roomId));
    const closed = closeReason(daveRoom.provider);
    const left = await api(server, "POST", `/api/rooms/${roomId}/leave`, undefined, dave!.cookie);
    expect(left.status).toBe(200);
    expect(parseCloseReason(await closed)).toMatchObject({ kind: "membership-ended" });
    await expect(device(dave!).open(roomDocName(roomId))).rejects.toThrow(/forbidden/);
    // Bob's name for it loses dave.
    const expected = sorted([alice!.username, carol!.username]);
    await eventually(() => getIndexedRoom(bobIndex.doc, roomId)?.name === expected, 5_000, "the new name");
    // The three still in it are its people now; dave starting the old four again gets a new room.
    expect((await start(carol!, [alice!.username, bob!.username])).body.room.id).toBe(roomId);
    const again = await start(dave!, [alice!.username, bob!.username, carol!.username]);
    expect(again.status).toBe(201);
    expect(again.body.room.id).not.toBe(roomId);
  });

  it("a DM still cannot be left", async () => {
    const [alice, bob] = await people(2, "x");
    const roomId = (await start(alice!, [bob!.username])).body.room.id as string;
    const answer = await api(server, "POST", `/api/rooms/${roomId}/leave`, undefined, alice!.cookie);
    expect(answer.status).toBe(403);
    expect(answer.body.error).toBe("A direct conversation cannot be left.");
    const members = await server.db.query("select 1 from room_members where room_id = $1", [roomId]);
    expect(members.length).toBe(2);
  });
});

/** Two instances need a shared Postgres (as scaleOut.test.ts): run when DATABASE_URL and REDIS_URL are set. */
describe.runIf(Boolean(process.env.DATABASE_URL && process.env.REDIS_URL))(
  "group conversations on two instances",
  () => {
    let shared: TestStorage;
    let redis: TcpProxy;
    let one: TestServer;
    let two: TestServer;

    beforeAll(async () => {
      shared = await createStorage();
      const target = new URL(process.env.REDIS_URL!);
      redis = new TcpProxy(target.hostname, Number(target.port || 6379));
      const env = { REDIS_URL: `redis://127.0.0.1:${await redis.start()}` };
      one = await startTestServer(shared, 0, env);
      two = await startTestServer(shared, 0, env);
    });
    afterAll(async () => {
      await one?.close();
      await two?.close();
      await redis?.close();
      await shared?.dispose();
    });

    it("started at once on both gives one room; leaving on one closes the leaver's documents on the other", async () => {
      const alice = await signUp(one, "alice");
      const bob = await signUp(two, "bob");
      const carol = await signUp(one, "carol");
      const answers = await Promise.all([
        start(alice, [bob.username, carol.username], one),
        start(bob, [carol.username, alice.username], two),
      ]);
      expect(answers.map((a) => a.status).sort()).toEqual([200, 201]);
      const roomId = answers[0].body.room.id as string;
      expect(answers[1].body.room.id).toBe(roomId);

      const carolOnTwo = device(carol, two);
      const segment = await carolOnTwo.open(segmentDocName(roomId, 0));
      const closed = closeReason(segment.provider);
      expect((await api(one, "POST", `/api/rooms/${roomId}/leave`, undefined, carol.cookie)).status).toBe(
        200,
      );
      expect(parseCloseReason(await closed)).toMatchObject({ kind: "membership-ended" });
      await expect(device(carol, two).open(segmentDocName(roomId, 0))).rejects.toThrow(/forbidden/);
    });
  },
);
