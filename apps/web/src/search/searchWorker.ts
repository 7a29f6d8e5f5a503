/// <reference lib="webworker" />
import { SEARCH_INDEX_FORMAT, toSearchDocument } from "@chat/model/search";
import {
  loadShard,
  type SearchShard,
  ShardedSearchIndex,
  serializeShard,
  shardKey,
} from "@chat/model/searchShards";
import {
  deleteShards,
  openSearchStore,
  readSearchCatalog,
  readShard,
  type StoredShardInfo,
  writeSearchNames,
  writeShard,
} from "../device/searchIndexStore";
import type {
  FedMessage,
  FromSearchWorker,
  KnownNames,
  SearchWorkerStatus,
  ToSearchWorker,
} from "./protocol";

/**
 * The search worker: holds the person's index off the main thread, so indexing and querying never
 * block typing. The index is split by history segment (model/searchShards.ts), each shard persisted
 * in IndexedDB on its own: on open the worker reads what the stored shards cover and loads them newest
 * first, one per task, answering queries between loads over what is loaded (saying that older history
 * is still loading), so search works as soon as the newest shard is in. Fed messages are indexed in
 * short slices so a query never waits behind a big batch; a shard's messages wait until its stored
 * copy has loaded. Shards of sealed segments are kept frozen (compact arrays); a change to one thaws
 * it. Changed shards are written back a little after they change, one per transaction.
 */

const scope = self as unknown as DedicatedWorkerGlobalScope;

/** Indexing runs in slices of this long, so queries arriving meanwhile are answered between them. */
const SLICE_MS = 12;
/** Persist this long after the last change… */
const SAVE_DEBOUNCE_MS = 2_000;
/** …but at least this often while changes keep coming (a big first build). */
const SAVE_MAX_WAIT_MS = 30_000;

const index = new ShardedSearchIndex();
let db: IDBDatabase | null = null;
let ready = false;
let storageProblem: string | null = null;
/** Stored shards not loaded yet, newest first. */
let toLoad: StoredShardInfo[] = [];
const loadingKeys = new Set<string>();
/**
 * Messages waiting to be indexed, by shard and id: a message fed again before it was indexed is
 * indexed once, as its latest version.
 */
const pending = new Map<string, Map<string, { roomId: string; segment: number; message: FedMessage }>>();
let pendingCount = 0;
let pumping = false;
let keepRooms: Set<string> | null = null;
/** Queries that came before the stored shards were listed (an answer then would wrongly say nothing matches). */
const waitingQueries: Array<Extract<ToSearchWorker, { type: "query" }>> = [];
let names: KnownNames = { rooms: [], users: [] };
let namesDirty = false;
let dirtySince: number | null = null;
let saveTimer: ReturnType<typeof setTimeout> | null = null;
let saving: Promise<void> | null = null;
let lastSavedAt = 0;
/** How long the last write of shards took, in ms. */
let lastSaveCost = 0;
let statusTimer: ReturnType<typeof setTimeout> | null = null;

function post(message: FromSearchWorker): void {
  scope.postMessage(message);
}

function currentStatus(): SearchWorkerStatus {
  return {
    ready,
    documents: index.documentCount,
    pending: pendingCount,
    olderLoading: loadingKeys.size,
    storageProblem,
  };
}

/** Status at most every 250 ms: the UI shows "Indexing…" progress, not every message. */
function reportStatus(now = false): void {
  if (now) {
    if (statusTimer) clearTimeout(statusTimer);
    statusTimer = null;
    post({ type: "status", status: currentStatus() });
    return;
  }
  if (statusTimer) return;
  statusTimer = setTimeout(() => {
    statusTimer = null;
    post({ type: "status", status: currentStatus() });
  }, 250);
}

async function open(store: string): Promise<void> {
  try {
    db = await openSearchStore(store);
    const catalog = await readSearchCatalog(db);
    // Another format (an update changed how words are indexed): rebuilt from the messages as they are fed.
    const stale = catalog.shards.filter((info) => info.format !== SEARCH_INDEX_FORMAT);
    if (stale.length > 0)
      await deleteShards(
        db,
        stale.map((info) => info.key),
      );
    toLoad = catalog.shards
      .filter((info) => info.format === SEARCH_INDEX_FORMAT)
      .sort((a, b) => (b.newest ?? 0) - (a.newest ?? 0));
    for (const info of toLoad) loadingKeys.add(info.key);
    if (isKnownNames(catalog.names)) {
      names = catalog.names;
      post({ type: "names", names });
    }
  } catch (error) {
    storageProblem = `Search cannot use this device's storage (${(error as Error).message}); it works until the page is closed.`;
  }
  ready = true;
  reportStatus(true);
  void loadStoredShards();
  for (const query of waitingQueries.splice(0)) answer(query);
  pump();
}

/** Loads the stored shards newest first, one per task, so queries and fed messages are handled between them. */
async function loadStoredShards(): Promise<void> {
  while (toLoad.length > 0 && db) {
    const info = toLoad.shift()!;
    let shard: SearchShard | null = null;
    try {
      const data = await readShard(db, info.key);
      shard = data === null ? null : loadShard(data);
    } catch {
      // Unreadable: rebuilt from the messages as they are fed.
    }
    loadingKeys.delete(info.key);
    if (shard && (!keepRooms || keepRooms.has(shard.roomId))) index.addShard(shard);
    else if (db) void deleteShards(db, [info.key]).catch(() => {});
    reportStatus(loadingKeys.size === 0);
    pump();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  loadingKeys.clear();
  reportStatus(true);
}

function isKnownNames(value: unknown): value is KnownNames {
  const candidate = value as KnownNames | null | undefined;
  return Array.isArray(candidate?.rooms) && Array.isArray(candidate?.users);
}

function answer(query: Extract<ToSearchWorker, { type: "query" }>): void {
  try {
    const started = performance.now();
    const results = index.search(query.request, query.limits);
    post({
      type: "results",
      id: query.id,
      results,
      olderLoading: loadingKeys.size > 0,
      ms: performance.now() - started,
    });
  } catch (error) {
    post({ type: "failed", id: query.id, message: (error as Error).message });
  }
}

function applyKeepRooms(rooms: Set<string>): void {
  const gone = index.dropRoomsExcept(rooms);
  if (gone.length > 0 && db) void deleteShards(db, gone).catch(() => {});
  for (const [key, items] of pending) {
    const first = items.values().next().value;
    if (first && !rooms.has(first.roomId)) {
      pending.delete(key);
      pendingCount -= items.size;
    }
  }
}

function pump(): void {
  if (!ready || pumping || pendingCount === 0) return;
  pumping = true;
  const step = () => {
    const started = performance.now();
    let changed = false;
    let waiting = 0;
    outer: for (const [key, items] of pending) {
      // Its stored copy is still loading: indexing now would build a second one.
      if (loadingKeys.has(key)) {
        waiting += items.size;
        continue;
      }
      for (const [id, item] of items) {
        items.delete(id);
        pendingCount--;
        const message = item.message;
        const next = "text" in message ? toSearchDocument(item.roomId, message) : null;
        if (index.upsert(item.roomId, item.segment, id, next)) changed = true;
        if (performance.now() - started > SLICE_MS) break outer;
      }
      if (items.size === 0) pending.delete(key);
    }
    if (changed) markDirty();
    // Freezing as the build goes keeps memory to the frozen size plus a room's open segment (a first
    // build of a million messages would otherwise hold them all as MiniSearch indexes first).
    index.freezeSealed(1, (key) => pending.has(key));
    reportStatus(pendingCount === 0);
    // Only messages of shards still loading are left: the loader pumps again after each shard.
    if (pendingCount > waiting) setTimeout(step, 0);
    else pumping = false;
  };
  step();
}

function markDirty(): void {
  const now = Date.now();
  dirtySince ??= now;
  if (saveTimer) clearTimeout(saveTimer);
  // Never spend more than ~3% of this worker's time saving. What is not saved yet is not lost: the
  // feeder hands every message over again at the next start.
  const earliest = lastSavedAt + lastSaveCost * 30;
  const latest = Math.max(dirtySince + SAVE_MAX_WAIT_MS, earliest);
  const at = Math.min(Math.max(now + SAVE_DEBOUNCE_MS, earliest), latest);
  saveTimer = setTimeout(() => void save(), Math.max(0, at - now));
}

/** Writes the changed shards, one per transaction (queries are answered between them), and the names. */
async function save(): Promise<void> {
  if (saveTimer) clearTimeout(saveTimer);
  saveTimer = null;
  if (!db || dirtySince === null) return;
  if (saving) return saving;
  dirtySince = null;
  const target = db;
  saving = (async () => {
    const started = performance.now();
    try {
      if (namesDirty) {
        namesDirty = false;
        await writeSearchNames(target, names);
      }
      for (const shard of index.list()) {
        if (!shard.dirty) continue;
        shard.dirty = false;
        const info: StoredShardInfo = {
          key: shard.key,
          roomId: shard.roomId,
          format: SEARCH_INDEX_FORMAT,
          newest: Number.isFinite(shard.newest) ? shard.newest : null,
          documents: shard.documentCount,
        };
        try {
          await writeShard(target, info, serializeShard(shard));
        } catch (error) {
          shard.dirty = true;
          throw error;
        }
      }
      lastSavedAt = Date.now();
      lastSaveCost = performance.now() - started;
      if (storageProblem) {
        storageProblem = null;
        reportStatus(true);
      }
    } catch (error) {
      storageProblem = `The search index could not be saved on this device (${(error as Error).message}).`;
      dirtySince ??= Date.now();
      reportStatus(true);
    } finally {
      saving = null;
      // Changes that arrived while writing get their own write.
      if (dirtySince !== null && !saveTimer) markDirty();
    }
  })();
  return saving;
}

scope.onmessage = (event: MessageEvent<ToSearchWorker>) => {
  const message = event.data;
  switch (message.type) {
    case "open":
      void open(message.store);
      return;
    case "messages": {
      const key = shardKey(message.roomId, message.segment);
      let items = pending.get(key);
      if (!items) {
        items = new Map();
        pending.set(key, items);
      }
      for (const item of message.messages) {
        // Re-inserting moves nothing in a Map; delete first so the newest version is indexed last.
        if (items.delete(item.id)) pendingCount--;
        items.set(item.id, { roomId: message.roomId, segment: message.segment, message: item });
        pendingCount++;
      }
      reportStatus();
      pump();
      return;
    }
    case "keep-rooms":
      keepRooms = new Set(message.roomIds);
      applyKeepRooms(keepRooms);
      return;
    case "query":
      // Answered over the shards loaded so far: the results say when older ones are still loading.
      if (ready) answer(message);
      else waitingQueries.push(message);
      return;
    case "names":
      names = message.names;
      namesDirty = true;
      markDirty();
      return;
    case "flush":
      void save();
      return;
  }
};
