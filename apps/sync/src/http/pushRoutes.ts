import type { IncomingMessage, ServerResponse } from "node:http";
import type { Session } from "../auth/sessions.ts";
import type { Database } from "../db/database.ts";
import { deleteSubscription, parsePushSubscription, saveSubscription } from "../push/subscriptions.ts";
import type { VapidKeys } from "../push/vapidKeys.ts";
import { readJson, sendJson } from "./json.ts";

/** `/api/push/…`: the server's VAPID public key, and each device's push subscription (docs/api.md). */
export interface PushRouteDeps {
  db: Database;
  vapidKeys(): Promise<VapidKeys>;
  /** PUSH_ALLOW_LOCAL (tests only): http:// and private endpoints are let through. */
  allowLocalEndpoints: boolean;
  /** A subscription was registered (the notifier stops believing nobody has one). */
  subscribed(): void;
}

/** Handles the request and returns true when the path is one of these routes. */
export async function handlePushRoute(
  deps: PushRouteDeps,
  session: () => Promise<Session>,
  writer: () => Promise<Session>,
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
): Promise<boolean> {
  if (path === "/api/push/key" && request.method === "GET") {
    await session();
    sendJson(response, 200, { publicKey: (await deps.vapidKeys()).publicKey });
    return true;
  }
  if (path !== "/api/push/subscriptions") return false;
  if (request.method === "POST") {
    const { tokenHash, user } = await writer();
    const input = await parsePushSubscription(await readJson(request), deps.allowLocalEndpoints);
    const { created } = await saveSubscription(deps.db, user.id, tokenHash, input);
    deps.subscribed();
    sendJson(response, created ? 201 : 200, { endpoint: input.endpoint });
    return true;
  }
  if (request.method === "DELETE") {
    const { user } = await writer();
    const body = (await readJson(request)) as { endpoint?: unknown } | null;
    await deleteSubscription(deps.db, user.id, body?.endpoint);
    response.writeHead(204).end();
    return true;
  }
  return false;
}
