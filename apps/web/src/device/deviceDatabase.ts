/**
 * The person's device database in IndexedDB (`chat-device:<user id>`), opened once per page and
 * shared by every document's store. Kept free of Yjs so that main.tsx can start opening it before the
 * rest of the app is evaluated: opening IndexedDB in a fresh page takes ~100 ms, which then overlaps
 * with starting the app instead of following it.
 */
const DB_PREFIX = "chat-device:";
export const UPDATES_STORE = "updates";

export function databaseName(scope: string): string {
  return DB_PREFIX + scope;
}

const openDatabases = new Map<string, Promise<IDBDatabase>>();

export function openDeviceDatabase(scope: string): Promise<IDBDatabase> {
  const name = databaseName(scope);
  let opening = openDatabases.get(name);
  if (!opening) {
    opening = new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open(name, 1);
      req.onupgradeneeded = () => {
        req.result.createObjectStore(UPDATES_STORE, { keyPath: ["doc", "seq"] });
      };
      req.onsuccess = () => {
        const db = req.result;
        // Another tab deleting this person's data (sign-out) must not wait for us.
        db.onversionchange = () => {
          db.close();
          openDatabases.delete(name);
        };
        resolve(db);
      };
      req.onerror = () => reject(req.error);
      req.onblocked = () => reject(new Error("the device database is blocked by another tab"));
    });
    openDatabases.set(name, opening);
    opening.catch(() => openDatabases.delete(name));
  }
  return opening;
}

/** Removes everything this device stores for the person (sign-out). */
export async function wipeLocalData(scope: string): Promise<void> {
  const name = databaseName(scope);
  const open = openDatabases.get(name);
  openDatabases.delete(name);
  if (open) (await open.catch(() => null))?.close();
  await new Promise<void>((resolve, reject) => {
    const req = indexedDB.deleteDatabase(name);
    req.onsuccess = () => resolve();
    req.onerror = () => reject(req.error);
    // Another tab still has it open: it closes on `versionchange`, then the deletion completes.
    req.onblocked = () => {};
  });
}
