import { roomDocName, segmentDocName } from "@chat/model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  api,
  createStorage,
  Device,
  signUp,
  startTestServer,
  type TestServer,
  type TestStorage,
  uniqueName,
} from "./harness.ts";

let storage: TestStorage;
let server: TestServer;
const devices: Device[] = [];
/** The room checks (room row and membership in one statement) the server has asked so far. */
let roomChecks = 0;

beforeAll(async () => {
  storage = await createStorage();
  server = await startTestServer(storage);
  const query = server.db.query.bind(server.db);
  server.db.query = ((sql: string, params?: unknown[]) => {
    if (sql.includes("as is_member")) roomChecks++;
    return query(sql, params as never);
  }) as typeof server.db.query;
});
afterAll(async () => {
  for (const d of devices) d.destroy();
  await server?.close();
  await storage?.dispose();
});

describe("checking who may open a room", () => {
  it("asks once when a device opens a room's document and its segment together, again on a new socket", async () => {
    const alice = await signUp(server, "alice");
    const { body } = await api(server, "POST", "/api/rooms", { name: uniqueName("room ") }, alice.cookie);
    const roomId = body.room.id as string;
    const first = new Device(server, alice);
    devices.push(first);
    const before = roomChecks;
    await Promise.all([first.open(roomDocName(roomId)), first.open(segmentDocName(roomId, 0))]);
    expect(roomChecks - before).toBe(1);

    const second = new Device(server, alice);
    devices.push(second);
    await Promise.all([second.open(roomDocName(roomId)), second.open(segmentDocName(roomId, 0))]);
    expect(roomChecks - before).toBe(2);
  });

  it("a refusal is not remembered: an outsider is refused both, and let in once added", async () => {
    const alice = await signUp(server, "alice");
    const carol = await signUp(server, "carol");
    const { body } = await api(
      server,
      "POST",
      "/api/rooms",
      { name: uniqueName("secret "), private: true },
      alice.cookie,
    );
    const roomId = body.room.id as string;
    const outsider = new Device(server, carol);
    devices.push(outsider);
    await expect(outsider.open(roomDocName(roomId))).rejects.toThrow(/refused/);
    await expect(outsider.open(segmentDocName(roomId, 0))).rejects.toThrow(/refused/);
    expect(
      (await api(server, "POST", `/api/rooms/${roomId}/members`, { username: carol.username }, alice.cookie))
        .status,
    ).toBe(201);
    const later = new Device(server, carol);
    devices.push(later);
    await later.open(roomDocName(roomId));
    await later.open(segmentDocName(roomId, 0));
  });
});
