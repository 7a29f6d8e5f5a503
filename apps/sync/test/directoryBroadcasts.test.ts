import { DIRECTORY_DOC } from "@chat/model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIRECTORY_FLUSH_MS } from "../src/extensions/directoryBroadcasts.ts";
import {
  createStorage,
  Device,
  eventually,
  metricValue,
  readMetrics,
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

async function framesSent(): Promise<number> {
  return metricValue(await readMetrics(server), "chat_websocket_frames_sent_total");
}

describe("the directory's presence goes out in windows", () => {
  it("sends the presence changes of a moment to each device once, not once per change", async () => {
    const people = [await signUp(server, "p"), await signUp(server, "p"), await signUp(server, "p")];
    const open: Array<Awaited<ReturnType<Device["open"]>>> = [];
    for (let i = 0; i < 12; i++) {
      const device = new Device(server, people[i % 3]!);
      devices.push(device);
      open.push(await device.open(DIRECTORY_DOC));
    }
    // Let the opening's own presence go out first.
    await new Promise((resolve) => setTimeout(resolve, DIRECTORY_FLUSH_MS * 2));
    const before = await framesSent();
    // One change every 40 ms, as devices renew at their own moments: each its own turn of the event loop.
    for (const [i, { provider }] of open.entries()) {
      provider.setAwarenessField("status", `here ${i}`);
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    await eventually(
      () =>
        open.every(({ provider }) =>
          open.every(
            (other) => provider.awareness?.getStates().get(other.doc.clientID)?.status !== undefined,
          ),
        ),
      10_000,
      "every device to see every other's presence",
    );
    const sent = (await framesSent()) - before;
    // Twelve changes relayed one by one would be 12 × 12 frames; gathered, one or two per device.
    expect(sent).toBeLessThanOrEqual(12 * 3);
  }, 60_000);
});
