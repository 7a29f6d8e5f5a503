import {
  appendMessage,
  createMessage,
  initRoom,
  ROOTS,
  roomDocName,
  SEGMENT_CAPACITY,
  segmentDocName,
  stampSequence,
} from "@chat/model";
import { IndexeddbPersistence } from "y-indexeddb";
import * as Y from "yjs";
import { openDeviceDatabase, UPDATES_STORE } from "../../apps/web/src/device/deviceDatabase.ts";
import { attachLocalStore } from "../../apps/web/src/device/localStore.ts";

/**
 * The page side of deviceStores.ts, bundled into one script: writes one room's history into both
 * device stores (the app's own, and y-indexeddb with one database per document), then, in a fresh
 * page, loads documents from one of them into Y.Docs and times it. Exposed as `window.stores`.
 */

/**
 * The newest segment's last messages, stored as they arrived: two rows each (the message, then the
 * server's sequence number for it), 20 small rows after the folded one, under the app's compaction
 * threshold (COMPACT_AFTER_ROWS, 40). Every older change is folded into one row.
 */
export const LATE_MESSAGES = 10;
/** The device's user id: the scope of the app's own store. */
const SCOPE = "measureuser00000";
const AUTHOR = "authoruser000000";

export interface RoomNames {
  room: string;
  segments: string[];
}

export function namesOf(roomId: string, total: number): RoomNames {
  const count = Math.ceil(total / SEGMENT_CAPACITY);
  return {
    room: roomDocName(roomId),
    segments: Array.from({ length: count }, (_, s) => segmentDocName(roomId, s)),
  };
}

/**
 * The rows of every document of a room of `total` messages, as the app would hold them: each message
 * appended (`appendMessage`) and then sequenced by the server (`stampSequence`), in a transaction each;
 * every document folded into one row, except the newest segment's last LATE_MESSAGES messages.
 */
function historyRows(roomId: string, total: number): Map<string, Uint8Array[]> {
  const names = namesOf(roomId, total);
  const rows = new Map<string, Uint8Array[]>();
  const room = new Y.Doc();
  initRoom(room, {
    id: roomId,
    name: `Room of ${total}`,
    kind: "channel",
    topic: "",
    archived: false,
    createdBy: AUTHOR,
    createdAt: Date.UTC(2026, 0, 1),
  });
  const listed = room.getArray<number>(ROOTS.room.segments);
  listed.insert(
    listed.length,
    names.segments.slice(1).map((_, i) => i + 1),
  );
  rows.set(names.room, [Y.encodeStateAsUpdate(room)]);
  for (const [s, name] of names.segments.entries()) {
    const doc = new Y.Doc();
    const from = s * SEGMENT_CAPACITY;
    const to = Math.min(total, from + SEGMENT_CAPACITY);
    const newest = s === names.segments.length - 1;
    const lateFrom = newest ? Math.max(from, to - LATE_MESSAGES) : to;
    const late: Uint8Array[] = [];
    const lateUpdate = (update: Uint8Array) => late.push(update);
    for (let n = from; n < to; n++) {
      if (n === lateFrom) {
        rows.set(name, [Y.encodeStateAsUpdate(doc)]);
        doc.on("update", lateUpdate);
      }
      const message = createMessage(
        AUTHOR,
        `History message number ${n + 1}: **status** update for the team`,
        Date.UTC(2026, 0, 1) + n * 60_000,
        `s${n.toString(36).padStart(15, "0")}`,
      );
      appendMessage(doc, message);
      stampSequence(doc, new Map([[message.id, n + 1]]));
    }
    if (lateFrom === to) rows.set(name, [Y.encodeStateAsUpdate(doc)]);
    else rows.get(name)!.push(...late);
  }
  return rows;
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error("IndexedDB transaction aborted"));
  });
}

/** Waits until every write y-indexeddb has begun on this database has committed. */
function settled(name: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(name);
    req.onsuccess = () => {
      const db = req.result;
      // Transactions on one store run in the order they began: this read follows y-indexeddb's writes.
      const count = db.transaction("updates", "readonly").objectStore("updates").count();
      count.onsuccess = () => {
        db.close();
        resolve(count.result);
      };
      count.onerror = () => reject(count.error);
    };
    req.onerror = () => reject(req.error);
  });
}

/**
 * Writes the room's history into both stores: (a) the app's own, rows put as the app leaves them;
 * (b) y-indexeddb, written by y-indexeddb itself (a persistence per document, synced, then each row
 * applied to the document, which y-indexeddb stores as one row per update). Returns the row counts.
 */
async function seed(roomId: string, total: number): Promise<{ ours: number; yIndexeddb: number }> {
  const rows = historyRows(roomId, total);
  const db = await openDeviceDatabase(SCOPE);
  let seq = 1;
  let ours = 0;
  for (const [name, updates] of rows) {
    const tx = db.transaction(UPDATES_STORE, "readwrite");
    for (const update of updates) tx.objectStore(UPDATES_STORE).put({ doc: name, seq: seq++, update });
    ours += updates.length;
    await done(tx);
  }
  let yIndexeddb = 0;
  for (const [name, updates] of rows) {
    const doc = new Y.Doc();
    const persistence = new IndexeddbPersistence(name, doc);
    await persistence.whenSynced;
    for (const update of updates) Y.applyUpdate(doc, update);
    await persistence.destroy();
    yIndexeddb += await settled(name);
    doc.destroy();
  }
  return { ours, yIndexeddb };
}

export type Store = "ours" | "y-indexeddb";

/** Messages in the loaded segments: the same in both stores, or one of them lost something. */
function messageCount(docs: Y.Doc[]): number {
  let count = 0;
  for (const doc of docs) count += doc.getArray(ROOTS.segment.messages).length;
  return count;
}

/**
 * Loads the documents into fresh Y.Docs, all at once (the newest segment's name is known from the
 * stored keys or database names in both cases), and returns the time from the first open to the last
 * document loaded, opening the database(s) included.
 */
async function load(store: Store, names: string[]): Promise<{ ms: number; messages: number }> {
  const start = performance.now();
  const docs = names.map(() => new Y.Doc());
  if (store === "ours") {
    const stores = names.map((name, i) => attachLocalStore(SCOPE, name, docs[i]!));
    await Promise.all(stores.map((s) => s.loaded));
    const ms = performance.now() - start;
    for (const s of stores) s.destroy();
    return { ms, messages: messageCount(docs) };
  }
  const persistences = names.map((name, i) => new IndexeddbPersistence(name, docs[i]!));
  await Promise.all(persistences.map((p) => p.whenSynced));
  const ms = performance.now() - start;
  await Promise.all(persistences.map((p) => p.destroy()));
  return { ms, messages: messageCount(docs) };
}

declare global {
  interface Window {
    stores: { seed: typeof seed; load: typeof load; namesOf: typeof namesOf };
  }
}

window.stores = { seed, load, namesOf };
