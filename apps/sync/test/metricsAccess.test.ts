import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createStorage,
  readMetrics,
  startTestServer,
  TEST_METRICS_TOKEN,
  type TestServer,
  type TestStorage,
} from "./harness.ts";

/**
 * `/metrics` tells anyone who can read it how busy the workspace is and how the process is doing:
 * on the app's port it answers only the operator's token, or it moves to a port of its own.
 */
let storage: TestStorage;
const servers: TestServer[] = [];
beforeAll(async () => {
  storage = await createStorage();
});
afterAll(async () => {
  for (const server of servers) await server.close();
  await storage?.dispose();
});

async function start(env: Record<string, string>): Promise<TestServer> {
  const server = await startTestServer(storage, 0, env);
  servers.push(server);
  return server;
}

const status = async (url: string, token?: string) =>
  (await fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } })).status;

describe("/metrics", () => {
  it("is not served at all without METRICS_TOKEN or METRICS_PORT", async () => {
    const server = await start({ METRICS_TOKEN: "" });
    expect(server.metricsUrl).toBeNull();
    expect(await status(`${server.url}/metrics`)).toBe(404);
    expect(await status(`${server.url}/metrics`, TEST_METRICS_TOKEN)).toBe(404);
    expect(await status(`${server.url}/metrics?format=text`)).toBe(404);
  });

  it("with METRICS_TOKEN answers on the app's port only to that token", async () => {
    const server = await start({ METRICS_TOKEN: TEST_METRICS_TOKEN });
    expect(server.metricsUrl).toBe(`${server.url}/metrics`);
    const anonymous = await fetch(`${server.url}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(await anonymous.text()).not.toMatch(/chat_/);
    for (const wrong of [
      "wrong-token-0123456789",
      `${TEST_METRICS_TOKEN}x`,
      TEST_METRICS_TOKEN.slice(0, -1),
      "",
    ])
      expect(await status(`${server.url}/metrics`, wrong), wrong).toBe(401);
    const basic = await fetch(`${server.url}/metrics`, {
      headers: { authorization: `Basic ${Buffer.from(`x:${TEST_METRICS_TOKEN}`).toString("base64")}` },
    });
    expect(basic.status).toBe(401);
    expect(await readMetrics(server)).toMatch(/^chat_websockets /m);
  });

  it("with METRICS_PORT moves to that port on the same host, and is gone from the app's", async () => {
    const server = await start({ METRICS_TOKEN: "", METRICS_PORT: "0" });
    const metricsUrl = new URL(server.metricsUrl!);
    expect(metricsUrl.hostname).toBe("127.0.0.1");
    expect(Number(metricsUrl.port)).not.toBe(server.port);
    expect(await status(`${server.url}/metrics`)).toBe(404);
    const scraped = await fetch(metricsUrl);
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toMatch(/^chat_loaded_documents /m);
    // Nothing else is served there.
    for (const path of ["/", "/api/session", "/healthz", "/sync"])
      expect(await status(`${metricsUrl.origin}${path}`), path).toBe(404);
  });

  it("with both, the port of its own asks for the token too", async () => {
    const server = await start({ METRICS_TOKEN: TEST_METRICS_TOKEN, METRICS_PORT: "0" });
    expect(await status(server.metricsUrl!)).toBe(401);
    expect(await status(`${server.url}/metrics`, TEST_METRICS_TOKEN)).toBe(404);
    expect(await readMetrics(server)).toMatch(/^chat_websockets /m);
  });
});
