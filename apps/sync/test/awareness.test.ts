import { segmentDocName } from "@chat/model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
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
  uniqueName,
} from "./harness.ts";

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

describe("presence (awareness) is checked like a write", () => {
  it("only as oneself, small and plain; honest presence reaches the others", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const mallory = await signUp(server, "mallory");
    const room = await api(server, "POST", "/api/rooms", { name: uniqueName("room ") }, alice.cookie);
    const name = segmentDocName(room.body.room.id, 0);

    const a = await device(alice).open(name);
    a.provider.setAwarenessField("status", { text: "here", typing: true });
    const b = await device(bob).open(name);
    // The server stamps `user` with the connection's own account, whatever the client claims.
    await eventually(
      () => {
        const state = b.provider.awareness?.getStates().get(a.doc.clientID);
        return state?.user?.username === alice.username && state?.status?.text === "here";
      },
      5_000,
      "bob sees alice's presence",
    );

    // Mallory announces presence under alice's client id: refused, and bob never sees it.
    const forged = new Y.Doc();
    forged.clientID = a.doc.clientID;
    const m = await device(mallory).open(name, forged);
    const refused = closeReason(m.provider);
    m.provider.setAwarenessField("status", { text: "forged", typing: true });
    expect(await refused).toBe("forbidden-write: presence under another account's client id");
    expect(b.provider.awareness?.getStates().get(a.doc.clientID)?.status?.text).toBe("here");

    const big = await device(mallory).open(name);
    const tooLarge = closeReason(big.provider);
    big.provider.setAwarenessField("status", { text: "x".repeat(20_000) });
    expect(await tooLarge).toBe("forbidden-write: presence too large");
  });
});
