import webpush from "web-push";
import type { Database } from "../db/database.ts";

export interface VapidKeys {
  /** base64url of the uncompressed P-256 point: what browsers take as `applicationServerKey`. */
  publicKey: string;
  privateKey: string;
}

/**
 * The server's VAPID key pair: the operator's (VAPID_PUBLIC_KEY/VAPID_PRIVATE_KEY), or one generated
 * once and kept in Postgres. Every browser subscribed with the public key, so it must outlive
 * restarts and be the same on every instance: the first instance to need it inserts a fresh pair,
 * and whichever pair won that race is the one everybody reads back.
 */
export async function loadVapidKeys(db: Database, given: VapidKeys | null): Promise<VapidKeys> {
  if (given) return given;
  const fresh = webpush.generateVAPIDKeys();
  await db.query(
    "insert into push_vapid_keys (id, public_key, private_key) values (1, $1, $2) on conflict (id) do nothing",
    [fresh.publicKey, fresh.privateKey],
  );
  const [row] = await db.query<{ public_key: string; private_key: string }>(
    "select public_key, private_key from push_vapid_keys where id = 1",
  );
  return { publicKey: row!.public_key, privateKey: row!.private_key };
}

/** The keys, read once when first needed (and read again after a failure, such as the database away). */
export function vapidKeysOnce(db: Database, given: VapidKeys | null): () => Promise<VapidKeys> {
  let keys: Promise<VapidKeys> | null = null;
  return () => {
    keys ??= loadVapidKeys(db, given).catch((error) => {
      keys = null;
      throw error;
    });
    return keys;
  };
}
