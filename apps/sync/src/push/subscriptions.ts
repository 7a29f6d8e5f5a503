import { createECDH } from "node:crypto";
import type { Database, Queryable } from "../db/database.ts";
import { Refused } from "../refused.ts";
import { assertPublicHost, endpointProblem } from "./endpoints.ts";

/** What a browser's `PushSubscription.toJSON()` holds, checked. */
export interface PushSubscriptionInput {
  endpoint: string;
  /** The browser's P-256 public key (65 bytes, base64url). */
  p256dh: string;
  /** The browser's authentication secret (16 bytes, base64url). */
  auth: string;
}

/** A stored subscription: where to post, and the keys to encrypt for. */
export interface StoredSubscription extends PushSubscriptionInput {
  userId: string;
}

const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

function decodedKey(value: unknown, bytes: number, what: string): string {
  if (typeof value !== "string" || !BASE64URL.test(value) || value.length > 200)
    throw new Refused("invalid", `The push subscription's ${what} is missing or not base64url.`);
  const raw = Buffer.from(value, "base64url");
  if (raw.length !== bytes)
    throw new Refused(
      "invalid",
      `The push subscription's ${what} must be ${bytes} bytes, not ${raw.length}.`,
    );
  return raw.toString("base64url");
}

/**
 * Checks a subscription as the browser sends it. The keys must be what a browser makes: `p256dh` a
 * point on P-256 (a forged one would fail encryption at every send), `auth` 16 bytes; the endpoint an
 * https URL of a public host (endpoints.ts; `allowLocal` in tests only).
 */
export async function parsePushSubscription(
  body: unknown,
  allowLocal: boolean,
): Promise<PushSubscriptionInput> {
  const value = (body as { subscription?: unknown } | null)?.subscription ?? body;
  if (typeof value !== "object" || value === null)
    throw new Refused(
      "invalid",
      "Send the browser's push subscription: { endpoint, keys: { p256dh, auth } }.",
    );
  const { endpoint, keys } = value as { endpoint?: unknown; keys?: { p256dh?: unknown; auth?: unknown } };
  if (typeof endpoint !== "string" || endpoint.length === 0)
    throw new Refused("invalid", "The push subscription has no endpoint.");
  const problem = endpointProblem(endpoint, allowLocal);
  if (problem) throw new Refused("invalid", problem);
  const p256dh = decodedKey(keys?.p256dh, 65, "key (keys.p256dh)");
  try {
    // Agreeing a secret with it is what encryption will do; a point off the curve fails here.
    const ecdh = createECDH("prime256v1");
    ecdh.generateKeys();
    ecdh.computeSecret(Buffer.from(p256dh, "base64url"));
  } catch {
    throw new Refused("invalid", "The push subscription's key (keys.p256dh) is not a P-256 public key.");
  }
  const auth = decodedKey(keys?.auth, 16, "secret (keys.auth)");
  await assertPublicHost(endpoint, allowLocal);
  return { endpoint, p256dh, auth };
}

/**
 * Registers the device's subscription under its session (signing out removes it). The same endpoint
 * again, from this person, moves to the newest session and keys; one registered by another account
 * is refused (409): an endpoint is the browser's, and a browser switching accounts unsubscribes first.
 */
export async function saveSubscription(
  db: Database,
  userId: string,
  sessionHash: string,
  input: PushSubscriptionInput,
): Promise<{ created: boolean }> {
  // One statement, so two accounts registering the same endpoint at once cannot both win: the row is
  // taken over only by the account that already holds it.
  const rows = await db.query<{ created: boolean }>(
    `insert into push_subscriptions (endpoint, user_id, session_hash, p256dh, auth) values ($1, $2, $3, $4, $5)
     on conflict (endpoint) do update set session_hash = $3, p256dh = $4, auth = $5
       where push_subscriptions.user_id = $2
     returning (xmax = 0) as created`,
    [input.endpoint, userId, sessionHash, input.p256dh, input.auth],
  );
  if (rows.length === 0)
    throw new Refused("conflict", "This push subscription is registered to another account on this server.");
  return { created: rows[0]!.created };
}

/** Turns pushes off for the device: only the person's own subscription (404 for anyone else's). */
export async function deleteSubscription(db: Database, userId: string, endpoint: unknown): Promise<void> {
  if (typeof endpoint !== "string" || endpoint.length === 0)
    throw new Refused("invalid", "Say which subscription to remove: { endpoint }.");
  const removed = await db.query(
    "delete from push_subscriptions where endpoint = $1 and user_id = $2 returning 1",
    [endpoint, userId],
  );
  if (removed.length === 0) throw new Refused("not-found", "This device has no push subscription here.");
}

/** The push service said the subscription is gone (404/410): nobody will receive it again. */
export async function forgetEndpoint(db: Queryable, endpoint: string): Promise<void> {
  await db.query("delete from push_subscriptions where endpoint = $1", [endpoint]);
}

/** The live subscriptions (their sessions not expired) of these people. */
export async function subscriptionsOf(
  db: Queryable,
  userIds: readonly string[],
): Promise<StoredSubscription[]> {
  if (userIds.length === 0) return [];
  const rows = await db.query<{ endpoint: string; user_id: string; p256dh: string; auth: string }>(
    `select p.endpoint, p.user_id, p.p256dh, p.auth from push_subscriptions p
       join sessions s on s.token_hash = p.session_hash
     where p.user_id = any($1::text[]) and s.expires_at > now()`,
    [userIds],
  );
  return rows.map((r) => ({ endpoint: r.endpoint, userId: r.user_id, p256dh: r.p256dh, auth: r.auth }));
}
