import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
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

/**
 * `/metrics`: Prometheus text, for whoever holds the operator's token when one is configured
 * (METRICS_TOKEN, sent as `Authorization: Bearer …`); 401 for anyone else.
 */
export async function metrics(
  request: IncomingMessage,
  response: ServerResponse,
  metrics: Metrics,
  token: string | null,
): Promise<void> {
  if (token !== null && !bearerMatches(request.headers.authorization, token)) {
    response
      .writeHead(401, { "content-type": "text/plain", "www-authenticate": 'Bearer realm="metrics"' })
      .end("Send the metrics token as Authorization: Bearer <token>.");
    return;
  }
  const body = await metrics.registry.metrics();
  response.writeHead(200, { "content-type": metrics.registry.contentType }).end(body);
}

/** Compares digests in constant time, so the answer's timing does not reveal how much of a guess was right. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const sent = /^Bearer +(\S+) *$/i.exec(header ?? "")?.[1];
  if (sent === undefined) return false;
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(sent), digest(token));
}
