/**
 * The search index's device copy: one IndexedDB database per person (`chat-search-<userId>`) holding
 * the serialised index, so a cold start loads it instead of re-indexing every message. Deleted on
 * sign-out. Used by the worker (read and write) and by the page (delete).
 */

const STORE = "index";
const KEY = "current";
const NAMES_KEY = "names";

export function searchStoreName(userId: string): string {
  return `chat-search-${userId}`;
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error("IndexedDB request failed"));
  });
}

export function openSearchStore(name: string, version?: number): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = version === undefined ? indexedDB.open(name) : indexedDB.open(name, version);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE);
    };
    req.onsuccess = () => {
      const db = req.result;
      // A database made without our store (by another tool, or an interrupted first open): add it.
      if (!db.objectStoreNames.contains(STORE)) {
        const next = db.version + 1;
        db.close();
        openSearchStore(name, next).then(resolve, reject);
        return;
      }
      // Sign-out deletes the database: let it, instead of blocking it from another tab.
      db.onversionchange = () => db.close();
      resolve(db);
    };
    req.onerror = () => reject(req.error ?? new Error("cannot open IndexedDB"));
    req.onblocked = () => reject(new Error("IndexedDB is blocked by another tab"));
  });
}

export async function readSearchIndex(db: IDBDatabase): Promise<{ index: string | null; names: unknown }> {
  const store = db.transaction(STORE, "readonly").objectStore(STORE);
  const [index, names] = await Promise.all([request(store.get(KEY)), request(store.get(NAMES_KEY))]);
  return { index: typeof index === "string" ? index : null, names };
}

/** Writes the serialised index (when given) and the names, in one transaction. */
export function writeSearchIndex(db: IDBDatabase, serialized: string | null, names: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, "readwrite");
    if (serialized !== null) tx.objectStore(STORE).put(serialized, KEY);
    tx.objectStore(STORE).put(names, NAMES_KEY);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error("cannot write the search index"));
    tx.onabort = () => reject(tx.error ?? new Error("writing the search index was aborted"));
  });
}

/** Removes a person's search index from this device (sign-out). Resolves when it is gone. */
export function deleteSearchStore(userId: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.deleteDatabase(searchStoreName(userId));
    req.onsuccess = () => resolve();
    req.onerror = () => reject(req.error ?? new Error("cannot delete the search index"));
  });
}
