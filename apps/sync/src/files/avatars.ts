import type { Readable } from "node:stream";
import { isId, isRasterImageType, newId } from "@chat/model";
import { avatarExists, setAvatar } from "../auth/accounts.ts";
import type { Database } from "../db/database.ts";
import { Refused } from "../refused.ts";
import { detectType, makeAvatar } from "./detect.ts";
import { avatarKey, type FileStore } from "./fileStore.ts";
import { receive, UploadTooLarge } from "./receive.ts";

/**
 * Avatars (docs/api.md "Profile"): a person's picture belongs to no room, so it is not an attachment.
 * The upload is received like any file (streamed into a temporary object, its type judged from its
 * bytes), then only a small square WebP made from it is kept, under an id of its own; the account
 * row names it and the `directory` publishes that id. Every signed-in person may read every avatar,
 * as everyone reads the directory. Replacing or removing one deletes the old bytes.
 */

/** The largest picture taken for an avatar, whatever MAX_UPLOAD_MB is: sharp reads it whole into memory. */
export const MAX_AVATAR_BYTES = 10 * 1024 * 1024;

export async function uploadAvatar(
  db: Database,
  store: FileStore,
  userId: string,
  body: Readable,
  maxBytes: number,
): Promise<string> {
  const limit = Math.min(maxBytes, MAX_AVATAR_BYTES);
  let received: Awaited<ReturnType<typeof receive>>;
  try {
    received = await receive(store, body, limit);
  } catch (error) {
    if (error instanceof UploadTooLarge)
      throw new UploadTooLarge(`An avatar can be at most ${Math.floor(limit / (1024 * 1024))} MB.`);
    throw error;
  }
  let image: Buffer;
  try {
    if (received.size === 0) throw new Refused("invalid", "The file is empty.");
    if (!isRasterImageType(await detectType(received.head)))
      throw new Refused("invalid", "An avatar must be a PNG, JPEG, GIF or WebP image.");
    image = await readAll(await store.read(received.temp));
  } finally {
    await store.delete(received.temp).catch(() => {});
  }
  let avatar: Buffer;
  try {
    avatar = await makeAvatar(image);
  } catch {
    throw new Refused("invalid", "That image cannot be read. Try another one.");
  }
  const id = newId();
  await store.put(avatarKey(id), avatar);
  const previous = await setAvatar(db, userId, id).catch(async (error) => {
    await store.delete(avatarKey(id)).catch(() => {});
    throw error;
  });
  if (previous) await store.delete(avatarKey(previous)).catch(() => {});
  return id;
}

/** Back to initials: the account names no avatar, and its bytes go. */
export async function removeAvatar(db: Database, store: FileStore, userId: string): Promise<void> {
  const previous = await setAvatar(db, userId, null);
  if (previous) await store.delete(avatarKey(previous)).catch(() => {});
}

/** The avatar's bytes, or null when no account shows it (a replaced avatar is gone for good). */
export async function readAvatar(db: Database, store: FileStore, id: string): Promise<Readable | null> {
  // Avatar ids have the shape of every other id; anything else never reaches the store as a key.
  if (!isId(id) || !(await avatarExists(db, id))) return null;
  return store.read(avatarKey(id));
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
