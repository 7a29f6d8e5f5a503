/// <reference lib="webworker" />
import {
  createSearchIndex,
  discardRoomsExcept,
  loadSearchIndex,
  type SearchIndex,
  searchMessages,
  serializeSearchIndex,
  toSearchDocument,
  upsertSearchDocument,
} from "@chat/model/search";
import { openSearchStore, readSearchIndex, writeSearchIndex } from "../device/searchIndexStore";
import type {
  FedMessage,
  FromSearchWorker,
  KnownNames,
  SearchWorkerStatus,
  ToSearchWorker,
} from "./protocol";

/**
 * The search worker: holds the person's MiniSearch index off the main thread, so indexing and
 * querying never block typing. On open it loads the index persisted in IndexedDB (a cold start does
 * not re-index); fed messages are indexed in short slices so a query never waits behind a big batch;
 * the index is written back a little after it changes.
 */

const scope = self as unknown as DedicatedWorkerGlobalScope;

/** Indexing runs in slices of this long, so queries arriving meanwhile are answered between them. */
const SLICE_MS = 12;
/** Persist this long after the last change… */
const SAVE_DEBOUNCE_MS = 2_000;
/** …but at least this often while changes keep coming (a big first build). */
const SAVE_MAX_WAIT_MS = 30_000;

let index: SearchIndex = createSearchIndex();
let db: IDBDatabase | null = null;
let ready = false;
let storageProblem: string | null = null;
/** Messages waiting to be indexed, by id: a message fed again before it was indexed is indexed once, as its latest version. */
const pending = new Map<string, { roomId: string; message: FedMessage }>();
let pumping = false;
let keepRooms: Set<string> | null = null;
const waitingQueries: Array<Extract<ToSearchWorker, { type: "query" }>> = [];
let names: KnownNames = { rooms: [], users: [] };
/** Whether the index itself (not just the names) changed since the last write: writing it costs most. */
let indexDirty = false;
let dirtySince: number | null = null;
let saveTimer: ReturnType<typeof setTimeout> | null = null;
let saving: Promise<void> | null = null;
let lastSavedAt = 0;
/** How long the last full write took (serialising and storing), in ms. */
let lastSaveCost = 0;
let statusTimer: ReturnType<typeof setTimeout> | null = null;

function post(message: FromSearchWorker): void {
  scope.postMessage(message);
}

function currentStatus(): SearchWorkerStatus {
  return { ready, documents: index.documentCount, pending: pending.size, storageProblem };
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
    const saved = await readSearchIndex(db);
    if (saved.index) {
      const loaded = loadSearchIndex(saved.index);
      // Another format (an update changed how words are indexed): rebuilt from the messages as they are fed.
      if (loaded) index = loaded;
    }
    if (isKnownNames(saved.names)) {
      names = saved.names;
      post({ type: "names", names });
    }
  } catch (error) {
    storageProblem = `Search cannot use this device's storage (${(error as Error).message}); it works until the page is closed.`;
  }
  ready = true;
  if (keepRooms) applyKeepRooms(keepRooms);
  for (const query of waitingQueries.splice(0)) answer(query);
  reportStatus(true);
  pump();
}

function isKnownNames(value: unknown): value is KnownNames {
  const candidate = value as KnownNames | null | undefined;
  return Array.isArray(candidate?.rooms) && Array.isArray(candidate?.users);
}

function answer(query: Extract<ToSearchWorker, { type: "query" }>): void {
  try {
    const started = performance.now();
    const results = searchMessages(index, query.request, query.limits);
    post({ type: "results", id: query.id, results, ms: performance.now() - started });
  } catch (error) {
    post({ type: "failed", id: query.id, message: (error as Error).message });
  }
}

function applyKeepRooms(rooms: Set<string>): void {
  if (discardRoomsExcept(index, rooms) > 0) markDirty(true);
  for (const [id, item] of pending) if (!rooms.has(item.roomId)) pending.delete(id);
}

function pump(): void {
  if (!ready || pumping || pending.size === 0) return;
  pumping = true;
  const step = () => {
    const started = performance.now();
    let changed = false;
    for (const [id, item] of pending) {
      pending.delete(id);
      const message = item.message;
      const next = "text" in message ? toSearchDocument(item.roomId, message) : null;
      if (upsertSearchDocument(index, id, next)) changed = true;
      if (performance.now() - started > SLICE_MS) break;
    }
    if (changed) markDirty(true);
    reportStatus(pending.size === 0);
    if (pending.size > 0) setTimeout(step, 0);
    else pumping = false;
  };
  step();
}

function markDirty(indexChanged: boolean): void {
  if (indexChanged) indexDirty = true;
  const now = Date.now();
  dirtySince ??= now;
  if (saveTimer) clearTimeout(saveTimer);
  // Writing a big index costs a second of this worker's time: never spend more than ~3% of it saving.
  // What is not saved yet is not lost: the feeder hands every message over again at the next start.
  const earliest = lastSavedAt + lastSaveCost * 30;
  const latest = Math.max(dirtySince + SAVE_MAX_WAIT_MS, earliest);
  const at = Math.min(Math.max(now + SAVE_DEBOUNCE_MS, earliest), latest);
  saveTimer = setTimeout(() => void save(), Math.max(0, at - now));
}

async function save(): Promise<void> {
  if (saveTimer) clearTimeout(saveTimer);
  saveTimer = null;
  if (!db || dirtySince === null) return;
  if (saving) return saving;
  dirtySince = null;
  const withIndex = indexDirty;
  indexDirty = false;
  const target = db;
  saving = (async () => {
    const started = performance.now();
    try {
      await writeSearchIndex(target, withIndex ? serializeSearchIndex(index) : null, names);
      lastSavedAt = Date.now();
      if (withIndex) lastSaveCost = performance.now() - started;
      if (storageProblem) {
        storageProblem = null;
        reportStatus(true);
      }
    } catch (error) {
      storageProblem = `The search index could not be saved on this device (${(error as Error).message}).`;
      dirtySince ??= Date.now();
      if (withIndex) indexDirty = true;
      reportStatus(true);
    } finally {
      saving = null;
      // Changes that arrived while writing get their own write.
      if (dirtySince !== null && !saveTimer) markDirty(false);
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
    case "messages":
      for (const item of message.messages) {
        // Re-inserting moves nothing in a Map; delete first so the newest version is indexed last.
        pending.delete(item.id);
        pending.set(item.id, { roomId: message.roomId, message: item });
      }
      reportStatus();
      pump();
      return;
    case "keep-rooms":
      keepRooms = new Set(message.roomIds);
      if (ready) applyKeepRooms(keepRooms);
      return;
    case "query":
      if (ready) answer(message);
      else waitingQueries.push(message);
      return;
    case "names":
      names = message.names;
      markDirty(false);
      return;
    case "flush":
      void save();
      return;
  }
};
