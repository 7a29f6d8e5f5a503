import type { IncomingMessage, ServerResponse } from "node:http";
import type { Database } from "../db/database.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import { type ApiDeps, handleApi } from "./api.ts";
import { sendError } from "./json.ts";
import { healthz, readyz, metrics as serveMetrics } from "./operations.ts";
import { sameSiteRequest } from "./origin.ts";
import { securityHeaders } from "./securityHeaders.ts";
import { serveStatic } from "./static.ts";

export interface RouterDeps {
  db: Database;
  log: Logger;
  metrics: Metrics;
  api: ApiDeps;
  secureCookies: boolean;
  allowedOrigins: readonly string[];
  /** The built web app, served for GET and HEAD; null: not built. */
  webDist: string | null;
  /** The token /metrics asks for on the app's own port; null: /metrics is not served there. */
  metricsToken: string | null;
  /** Whether Redis is reachable; null when this instance runs alone. */
  redisReady(): boolean | null;
}

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** The app's port: health checks, the API under /api/, the web app, and /metrics with its token. */
export function appRoutes(deps: RouterDeps): Handler {
  return (request, response) => {
    for (const [name, value] of Object.entries(securityHeaders(request, deps.secureCookies)))
      response.setHeader(name, value);
    const path = (request.url ?? "/").split("?")[0]!;
    if (path === "/healthz") return healthz(response);
    if (path === "/readyz") return void readyz(response, deps.db, deps.redisReady);
    if (path === "/metrics") {
      if (deps.metricsToken !== null)
        return void serveMetrics(request, response, deps.metrics, deps.metricsToken);
      return sendError(response, 404, "Not found.");
    }
    if (path.startsWith("/api/")) {
      if (request.method !== "GET" && !sameSiteRequest(request, deps.allowedOrigins)) {
        sendError(response, 403, "Requests from other sites are not allowed.");
        return;
      }
      void handleApi(deps.api, request, response);
      return;
    }
    if (deps.webDist && (request.method === "GET" || request.method === "HEAD")) {
      serveStatic(deps.webDist, request, response).catch((error) => {
        deps.log.error({ path, error: String(error) }, "static file failed");
        if (!response.headersSent) sendError(response, 500, "Could not read the file.");
      });
      return;
    }
    sendError(response, 404, "Not found. (Build the web app with `npm run build` to serve it here.)");
  };
}

/** METRICS_PORT: /metrics alone (a firewall or the deployment keeps that port internal). */
export function metricsRoutes(metrics: Metrics, token: string | null): Handler {
  return (request, response) => {
    if ((request.url ?? "/").split("?")[0] === "/metrics")
      return void serveMetrics(request, response, metrics, token);
    sendError(response, 404, "Only /metrics is served here.");
  };
}
