import { wipeLocalData } from "./deviceDatabase";
import { forgetDeviceUser } from "./deviceUser";
import { forgetNavSnapshot } from "./navSnapshot";
import { forgetTails } from "./roomTail";
import { deleteSearchStore } from "./searchIndexStore";

/**
 * Sign-out: everything this device keeps for the person leaves it — who opens at start, the search
 * index, the rooms' cached tails, the nav snapshot and the documents. The one place that knows every
 * store, so a new one is forgotten by adding it here. Call it once the workspace is unmounted (its
 * documents and the search worker closed), so nothing holds a database open. Never rejects: what
 * cannot be removed is logged, and the rest is still removed.
 */
export async function forgetDevice(userId: string | null): Promise<void> {
  forgetDeviceUser();
  if (!userId) return;
  await deleteSearchStore(userId).catch(() => {});
  forgetTails(userId);
  forgetNavSnapshot(userId);
  await wipeLocalData(userId).catch((error) => console.error("cannot wipe device data", error));
}
