import { FILES_CACHE } from "../lib/fileCache";
import { wipeLocalData } from "./deviceDatabase";
import { forgetDeviceUser } from "./deviceUser";
import { deleteFileOutbox } from "./fileOutbox";
import { forgetNavSnapshot } from "./navSnapshot";
import { forgetTails } from "./roomTail";
import { deleteSearchStore } from "./searchIndexStore";

/**
 * Sign-out: everything this device keeps for the person leaves it — who opens at start, the search
 * index, the rooms' cached tails, the nav snapshot, the documents, the files waiting to be sent and
 * the attachments the service worker kept. The one place that knows every
 * store, so a new one is forgotten by adding it here. Call it once the workspace is unmounted (its
 * documents and the search worker closed), so nothing holds a database open. Never rejects: what
 * cannot be removed is logged, and the rest is still removed.
 */
export async function forgetDevice(userId: string | null): Promise<void> {
  forgetDeviceUser();
  if (!userId) return;
  await deleteSearchStore(userId).catch(() => {});
  await deleteFileOutbox(userId).catch((error) => console.error("cannot delete the file outbox", error));
  await globalThis.caches?.delete(FILES_CACHE).catch(() => false);
  forgetTails(userId);
  forgetNavSnapshot(userId);
  await wipeLocalData(userId).catch((error) => console.error("cannot wipe device data", error));
}
