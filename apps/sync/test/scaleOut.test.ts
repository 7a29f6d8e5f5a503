import { appendMessage, createMessage, listMessages, parseCloseReason, segmentDocName } from "@chat/model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import {
  api,
  closeReason,
  createStorage,
  Device,
  eventually,
  joinRoom,
  metricValue,
  readMetrics,
  signUp,
  startTestServer,
  type TestServer,
  type TestStorage,
  uniqueName,
} from "./harness.ts";
import { TcpProxy } from "./tcpProxy.ts";

/**
 * Two sync instances behind one Postgres and one Redis. Several instances need a shared Postgres, so
 * this runs when DATABASE_URL and REDIS_URL are set (as .ci/run does); PGlite is one process's only.
 */
const enabled = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);

describe.runIf(enabled)("several instances through Redis", () => {
  let storage: TestStorage;
  let redis: TcpProxy;
  let one: TestServer;
  let two: TestServer;
  const devices: Device[] = [];

  beforeAll(async () => {
    storage = await createStorage();
    const target = new URL(process.env.REDIS_URL!);
    redis = new TcpProxy(target.hostname, Number(target.port || 6379));
    const port = await redis.start();
    const env = { REDIS_URL: `redis://127.0.0.1:${port}` };
    one = await startTestServer(storage, 0, env);
    two = await startTestServer(storage, 0, env);
  });
  afterAll(async () => {
    for (const d of devices) d.destroy();
    await one?.close();
    await two?.close();
    await redis?.close();
    await storage?.dispose();
  });

  async function roomOnBoth() {
    const alice = await signUp(one, "alice");
    const bob = await signUp(two, "bob");
    const { body } = await api(one, "POST", "/api/rooms", { name: uniqueName("shared ") }, alice.cookie);
    await joinRoom(two, bob, body.room.id);
    const name = segmentDocName(body.room.id, 0);
    const aliceDevice = new Device(one, alice);
    const bobDevice = new Device(two, bob);
    devices.push(aliceDevice, bobDevice);
    return { alice, bob, a: await aliceDevice.open(name), b: await bobDevice.open(name) };
  }

  it("alice on one instance and bob on the other exchange messages, sequenced once", async () => {
    const { alice, bob, a, b } = await roomOnBoth();
    appendMessage(a.doc, createMessage(alice.id, "from instance one"));
    appendMessage(b.doc, createMessage(bob.id, "from instance two"));
    const both = (doc: typeof a.doc) => listMessages(doc).filter((m) => m.seq !== null).length === 2;
    await eventually(() => both(a.doc) && both(b.doc), 5_000, "both messages on both devices");
    expect(listMessages(a.doc).map((m) => m.seq)).toEqual([1, 2]);
    expect(listMessages(a.doc).map((m) => m.text)).toEqual(listMessages(b.doc).map((m) => m.text));
    expect(one.redisReady()).toBe(true);
  });

  it("joining through one instance closes the person's read-only preview on the other, to reopen writable", async () => {
    const alice = await signUp(one, "alice");
    const bob = await signUp(two, "bob");
    const { body } = await api(one, "POST", "/api/rooms", { name: uniqueName("lobby ") }, alice.cookie);
    const bobDevice = new Device(two, bob);
    devices.push(bobDevice);
    const preview = await bobDevice.open(segmentDocName(body.room.id, 0));
    const closed = closeReason(preview.provider);
    await joinRoom(one, bob, body.room.id);
    expect(parseCloseReason(await closed)).toEqual({
      kind: "membership-began",
      explanation: "you joined this room",
    });
    const writable = new Device(two, bob);
    devices.push(writable);
    const b = await writable.open(segmentDocName(body.room.id, 0));
    appendMessage(b.doc, createMessage(bob.id, "in, through the other instance"));
    await eventually(() => listMessages(b.doc)[0]?.seq === 1, 10_000, "bob's message numbered");
  });

  it("typing presence (awareness) crosses instances", async () => {
    const { a, b } = await roomOnBoth();
    a.provider.setAwarenessField("typing", true);
    await eventually(
      () => [...b.provider.awareness!.getStates().values()].some((state) => state.typing === true),
      5_000,
      "bob to see alice typing",
    );
    // Only the two devices' own states: no empty one of the server's making, from either instance.
    expect([...b.provider.awareness!.getStates().keys()].sort()).toEqual(
      [a.doc.clientID, b.doc.clientID].sort(),
    );
  });

  it("presence under a live device's id, sent to another instance, is left out", async () => {
    const { alice, bob, a, b } = await roomOnBoth();
    a.provider.setAwarenessField("typing", true);
    await eventually(
      () => b.provider.awareness!.getStates().get(a.doc.clientID)?.user?.id === alice.id,
      5_000,
      "bob to see alice typing",
    );
    // Bob's second device on instance two announces under alice's id (which only instance one holds).
    const forged = new Y.Doc();
    forged.clientID = a.doc.clientID;
    const bobsOther = new Device(two, bob);
    devices.push(bobsOther);
    const m = await bobsOther.open(b.provider.configuration.name, forged);
    const leftOut = async () => {
      return metricValue(await readMetrics(two), 'chat_refusals_total{reason="presence-foreign-client"}');
    };
    const before = await leftOut();
    for (let n = 0; n < 5; n++) m.provider.setAwarenessField("typing", n % 2 === 1);
    await eventually(async () => (await leftOut()) >= before + 5, 5_000, "the forged states to be left out");
    const seen = b.provider.awareness!.getStates().get(a.doc.clientID);
    expect(seen?.user?.id).toBe(alice.id);
    expect(seen?.typing).toBe(true);
  });

  it("when Redis returns, what was written meanwhile reaches the other instance without another write", {
    timeout: 30_000,
  }, async () => {
    const { alice, a, b } = await roomOnBoth();
    await redis.cut();
    await eventually(() => !one.redisReady() && !two.redisReady(), 5_000, "both instances to lose Redis");
    appendMessage(a.doc, createMessage(alice.id, "written while the instances were apart"));
    const seq = await eventually(
      () => listMessages(a.doc).find((m) => m.text === "written while the instances were apart")?.seq,
      5_000,
      "alice's message sequenced on her instance",
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(listMessages(b.doc).some((m) => m.text === "written while the instances were apart")).toBe(false);

    await redis.restore();
    // Nobody writes from here on: the instances resync by themselves once Redis is back.
    const received = await eventually(
      () => listMessages(b.doc).find((m) => m.text === "written while the instances were apart" && m.seq),
      10_000,
      "bob, on the other instance, to receive the message with its number",
    );
    expect(received.seq).toBe(seq);
    expect(one.redisReady() && two.redisReady()).toBe(true);
  });

  it("with Redis down each instance serves its own clients, and catches up when Redis returns", async () => {
    const { alice, bob, a, b } = await roomOnBoth();
    await redis.cut();
    await eventually(
      () => !one.redisReady() && !two.redisReady(),
      5_000,
      "both instances to notice Redis is gone",
    );
    appendMessage(a.doc, createMessage(alice.id, "sent while Redis was down"));
    await eventually(
      () => listMessages(a.doc).find((m) => m.text === "sent while Redis was down")?.seq,
      5_000,
      "alice's message stored and sequenced",
    );
    expect(listMessages(b.doc).some((m) => m.text === "sent while Redis was down")).toBe(false);
    expect((await api(one, "GET", "/readyz")).body).toMatchObject({
      ready: false,
      postgres: "ok",
      redis: "unreachable",
    });

    await redis.restore();
    await eventually(() => one.redisReady() && two.redisReady(), 10_000, "both instances to reconnect");
    appendMessage(b.doc, createMessage(bob.id, "after Redis returned"));
    await eventually(
      () =>
        ["sent while Redis was down", "after Redis returned"].every((text) =>
          listMessages(b.doc).some((m) => m.text === text && m.seq !== null),
        ),
      10_000,
      "bob to receive what he missed",
    );
    await eventually(
      () => listMessages(a.doc).some((m) => m.text === "after Redis returned"),
      10_000,
      "alice to receive bob's message",
    );
  });
});
