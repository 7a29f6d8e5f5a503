import { appendMessage, createMessage, listMessages, segmentDocName } from "@chat/model";
import type { HocuspocusProvider } from "@hocuspocus/provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import {
  api,
  createStorage,
  Device,
  eventually,
  joinRoom,
  signUp,
  startTestServer,
  type TestServer,
  type TestStorage,
  type TestUser,
  uniqueName,
} from "./harness.ts";

/**
 * Issue 24: under long load a receiving device's segment was closed with "presence under another
 * account's client id" and silently stopped receiving. Every awareness message claimed, for its
 * sender, a random client id nobody used (Hocuspocus's scratch awareness's own), so over time the
 * registry filled with such ids and an honest device that drew one of them was refused. Here the
 * colliding id is taken from the registry instead of waiting for luck.
 */

let storage: TestStorage;
let server: TestServer;
const devices: Device[] = [];
const device = (user: TestUser) => {
  const d = new Device(server, user);
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

/** Every client id a provider has ever been told about, and every close reason it got. */
function watch(provider: HocuspocusProvider) {
  const seen = new Set<number>();
  const closes: string[] = [];
  provider.awareness!.on("update", ({ added, updated }: { added: number[]; updated: number[] }) => {
    for (const id of [...added, ...updated]) seen.add(id);
  });
  provider.on("close", ({ event }: { event: { reason: string } }) => closes.push(event.reason));
  return { seen, closes };
}

async function registeredClientIds(): Promise<Map<number, string>> {
  const rows = await server.db.query<{ client_id: string | number; user_id: string }>(
    "select client_id, user_id from yjs_clients",
  );
  return new Map(rows.map((row) => [Number(row.client_id), row.user_id]));
}

async function joinedRoom(owner: TestUser, members: TestUser[]) {
  const created = await api(server, "POST", "/api/rooms", { name: uniqueName("room ") }, owner.cookie);
  const roomId: string = created.body.room.id;
  for (const member of members) await joinRoom(server, member, roomId);
  return roomId;
}

describe("presence and Yjs client ids (issue 24)", () => {
  it("awareness from many devices claims no client id a device did not use, and shows no state under such an id", async () => {
    const people = await Promise.all([signUp(server, "ann"), signUp(server, "ben"), signUp(server, "cat")]);
    const roomId = await joinedRoom(people[0]!, people.slice(1));
    const name = segmentDocName(roomId, 0);
    const before = await registeredClientIds();

    const open: Array<
      { person: TestUser; doc: Y.Doc; provider: HocuspocusProvider } & ReturnType<typeof watch>
    > = [];
    for (const person of people)
      for (let n = 0; n < 2; n++) {
        const opened = await device(person).open(name);
        open.push({ person, ...opened, ...watch(opened.provider) });
      }
    const used = new Set(open.map((o) => o.doc.clientID));
    // Typing indicators as the app sends them, a few rounds per device.
    for (let round = 0; round < 6; round++)
      for (const o of open) {
        o.provider.setAwarenessField("user", { id: o.person.id, username: o.person.username });
        o.provider.setAwarenessField("typing", round % 2 === 0); // ends with false
      }
    for (const o of open)
      await eventually(
        () =>
          open.every(
            (other) =>
              other === o || o.provider.awareness!.getStates().get(other.doc.clientID)?.typing === false,
          ),
        5_000,
        "every device to see every other one's last typing state",
      );

    const claimed = [...(await registeredClientIds()).keys()].filter((id) => !before.has(id));
    expect(claimed.filter((id) => !used.has(id))).toEqual([]);
    for (const o of open) {
      expect([...o.seen].filter((id) => !used.has(id))).toEqual([]);
      expect(o.closes).toEqual([]);
    }
  });

  it("a device whose client id another account's device used only for presence is not refused", async () => {
    const [ann, ben, cat] = await Promise.all([
      signUp(server, "ann"),
      signUp(server, "ben"),
      signUp(server, "cat"),
    ]);
    const roomId = await joinedRoom(ann, [ben, cat]);
    const name = segmentDocName(roomId, 0);

    // Ann's device only watches the room and says it is there (it writes nothing), then goes away.
    const annDevice = device(ann);
    const annOpen = await annDevice.open(name);
    annOpen.provider.setAwarenessField("user", { id: ann.id, username: ann.username });
    annOpen.provider.setAwarenessField("typing", true);
    const catOpen = await device(cat).open(name);
    const catView = watch(catOpen.provider);
    await eventually(
      () => catOpen.provider.awareness!.getStates().get(annOpen.doc.clientID)?.typing,
      5_000,
      "cat to see ann typing",
    );
    // Ids the registry gave ann without any device of hers writing under them (her presence id, and
    // any other): an honest device of someone else may draw any of them.
    const annPresenceId = annOpen.doc.clientID;
    const registry = await registeredClientIds();
    const givenToAnn = [...registry].filter(([, owner]) => owner === ann.id).map(([id]) => id);
    const collisions = [...new Set([annPresenceId, ...givenToAnn])];
    annDevice.destroy();
    await eventually(
      () => !server.hocuspocus.documents.get(name)?.awareness.getStates().has(annPresenceId),
      5_000,
      "ann's presence to end",
    );

    for (const clientId of collisions) {
      const doc = new Y.Doc();
      doc.clientID = clientId;
      const benOpen = await device(ben).open(name, doc);
      const benView = watch(benOpen.provider);
      // Awareness ignores a state whose clock is not past the last one seen for the id (ann's): a few
      // changes get past it, as a device that keeps typing would.
      benOpen.provider.setAwarenessField("user", { id: ben.id, username: ben.username });
      for (let n = 0; n < 5; n++) benOpen.provider.setAwarenessField("typing", n % 2 === 0);
      const text = `hello from ${clientId}`;
      appendMessage(benOpen.doc, createMessage(ben.id, text));
      // The write is accepted and sequenced, the presence reaches cat, and nothing is closed.
      await eventually(
        () => listMessages(catOpen.doc).find((m) => m.text === text && m.seq !== null),
        5_000,
        "cat to receive ben's message, sequenced",
      );
      await eventually(
        () => catOpen.provider.awareness!.getStates().get(clientId)?.user?.id === ben.id,
        5_000,
        "cat to see ben's presence",
      );
      expect(benView.closes).toEqual([]);
      benOpen.provider.destroy();
    }
    expect(catView.closes).toEqual([]);
  });
});
