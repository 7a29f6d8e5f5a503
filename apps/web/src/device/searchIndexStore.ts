/**
 * The search index's device copy: one IndexedDB database per person (`chat-search-<userId>`) holding
 * the index one shard (one history segment) a record, so a cold start loads the newest shards first
 * instead of re-indexing every message, and a change rewrites only its shard. What a shard covers
 * (room, newest message, format) is kept apart from its data, so the worker can order the loads
 * without reading the data. Deleted on sign-out. Used by the worker (read and write) and by the page
 * (delete).
 */

const STORE = "index";
const SHARDS = "shards";
const SHARD_INFO = "shard-info";
const STORES = [STORE, SHARDS, SHARD_INFO];
/** Where the single index of earlier versions was kept: removed at open, its space given back. */
const OLD_INDEX_KEY = "current";
const NAMES_KEY = "names";

/** What the worker needs to order and check a shard before reading it. */
export interface StoredShardInfo {
  key: string;
  roomId: string;
  format: number;
  /** Time of its newest message: the newest shards load first. */
  newest: number | null;
  documents: number;
}

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
      for (const store of STORES)
        if (!req.result.objectStoreNames.contains(store)) req.result.createObjectStore(store);
    };
    req.onsuccess = () => {
      const db = req.result;
      // A database made without our stores (an earlier version, another tool, or an interrupted first open): add them.
      if (STORES.some((store) => !db.objectStoreNames.contains(store))) {
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

/** The names saved with the index, and what each stored shard covers; drops an earlier version's single index. */
export async function readSearchCatalog(
  db: IDBDatabase,
): Promise<{ names: unknown; shards: StoredShardInfo[] }> {
  const tx = db.transaction([STORE, SHARD_INFO], "readwrite");
  const [names, shards] = await Promise.all([
    request(tx.objectStore(STORE).get(NAMES_KEY)),
    request(tx.objectStore(SHARD_INFO).getAll()),
  ]);
  tx.objectStore(STORE).delete(OLD_INDEX_KEY);
  return { names, shards: (shards as StoredShardInfo[]).filter((info) => typeof info?.key === "string") };
}

export async function readShard(db: IDBDatabase, key: string): Promise<string | null> {
  const data = await request(db.transaction(SHARDS, "readonly").objectStore(SHARDS).get(key));
  return typeof data === "string" ? data : null;
}

function written(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error("cannot write the search index"));
    tx.onabort = () => reject(tx.error ?? new Error("writing the search index was aborted"));
  });
}

/** Writes one shard (its data and what it covers) in one transaction. */
export function writeShard(db: IDBDatabase, info: StoredShardInfo, data: string): Promise<void> {
  const tx = db.transaction([SHARDS, SHARD_INFO], "readwrite");
  tx.objectStore(SHARDS).put(data, info.key);
  tx.objectStore(SHARD_INFO).put(info, info.key);
  return written(tx);
}

/** Removes shards (a room the person can no longer read, or one of another format). */
export function deleteShards(db: IDBDatabase, keys: readonly string[]): Promise<void> {
  const tx = db.transaction([SHARDS, SHARD_INFO], "readwrite");
  for (const key of keys) {
    tx.objectStore(SHARDS).delete(key);
    tx.objectStore(SHARD_INFO).delete(key);
  }
  return written(tx);
}

export function writeSearchNames(db: IDBDatabase, names: unknown): Promise<void> {
  const tx = db.transaction(STORE, "readwrite");
  tx.objectStore(STORE).put(names, NAMES_KEY);
  return written(tx);
}

/** Removes a person's search index from this device (sign-out). Resolves when it is gone. */
export function deleteSearchStore(userId: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.deleteDatabase(searchStoreName(userId));
    req.onsuccess = () => resolve();
    req.onerror = () => reject(req.error ?? new Error("cannot delete the search index"));
  });
}
