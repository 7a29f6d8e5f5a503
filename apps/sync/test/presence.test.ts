import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createStorage,
  Device,
  eventually,
  signUp,
  startTestServer,
  type TestServer,
  type TestStorage,
} from "./harness.ts";

let storage: TestStorage;
let server: TestServer;
const devices: Device[] = [];

beforeAll(async () => {
  storage = await createStorage();
  server = await startTestServer(storage);
});
afterAll(async () => {
  for (const d of devices) d.destroy();
  await server?.close();
  await storage?.dispose();
});

describe("presence", () => {
  it("awareness on the read-only directory carries who is online, stamped with the sender's identity", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const a = new Device(server, alice);
    const b = new Device(server, bob);
    devices.push(a, b);
    const aliceDirectory = await a.open("directory");
    const bobDirectory = await b.open("directory");
    // Alice claims to be bob: the server rewrites the claim to who she is.
    aliceDirectory.provider.setAwarenessField("user", { id: bob.id, username: bob.username });
    const seen = await eventually(
      () =>
        [...bobDirectory.provider.awareness!.getStates().entries()].find(
          ([clientId, state]) => clientId === aliceDirectory.doc.clientID && state.user,
        ),
      5_000,
      "bob to see alice online",
    );
    expect(seen[1].user).toEqual({ id: alice.id, username: alice.username });
  });
});
