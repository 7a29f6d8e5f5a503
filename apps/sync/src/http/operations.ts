import type { ServerResponse } from "node:http";
import type { Database } from "../db/database.ts";
import type { Metrics } from "../metrics.ts";
import { sendJson } from "./json.ts";

/** `/healthz`: the process is up. */
export function healthz(response: ServerResponse): void {
  response.writeHead(200, { "content-type": "text/plain" }).end("ok");
}

/** `/readyz`: the process can do its work: Postgres answers and, when configured, Redis is connected. */
export async function readyz(
  response: ServerResponse,
  db: Database,
  redisReady: () => boolean | null,
): Promise<void> {
  const postgres = await Promise.race([
    db.query("select 1").then(
      () => "ok",
      (error: Error) => `unreachable: ${error.message}`,
    ),
    new Promise<string>((resolve) =>
      setTimeout(() => resolve("unreachable: no answer within 2 s"), 2_000).unref(),
    ),
  ]);
  const redisState = redisReady();
  const redis = redisState === null ? "not configured" : redisState ? "ok" : "unreachable";
  const ready = postgres === "ok" && redis !== "unreachable";
  sendJson(response, ready ? 200 : 503, { ready, postgres, redis });
}

export async function metrics(response: ServerResponse, metrics: Metrics): Promise<void> {
  const body = await metrics.registry.metrics();
  response.writeHead(200, { "content-type": metrics.registry.contentType }).end(body);
}
