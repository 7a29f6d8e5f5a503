import { foldUpdates } from "@chat/model";
import * as Y from "yjs";
import { openDeviceDatabase, UPDATES_STORE } from "./deviceDatabase";

export { databaseName, openDeviceDatabase, wipeLocalData } from "./deviceDatabase";

/**
 * The device copy of every document, in IndexedDB: one database per person (`scope` is the user id),
 * one object store of Yjs update rows keyed [document name, sequence].
 *
 * Lean on purpose, instead of y-indexeddb: y-indexeddb re-encodes the whole document after every load
 * (35–40 % of its load time) and adds a row per load. Here a load only reads the rows and applies them
 * in one transaction; each local or remote change appends one row; and when a document has gathered
 * more than COMPACT_AFTER_ROWS rows, the rows are folded into one while the browser is idle (applied to
 * a scratch document, `foldUpdates`: Y.mergeUpdates has lost structs), so rows stay few and loads stay
 * a single read.
 */
export interface LocalStore {
  /** Resolves once whatever the device holds for this document has been applied to it. */
  readonly loaded: Promise<void>;
  /** Resolves once every change made so far is written to IndexedDB. */
  flushed(): Promise<void>;
  destroy(): void;
}

const UPDATES = UPDATES_STORE;
/** More rows than this for one document and they are merged into one. */
export const COMPACT_AFTER_ROWS = 40;
/** The origin of changes that came from the device store, so they are not written back. */
export const LOCAL_STORE_ORIGIN = Symbol("local-store");

interface UpdateRow {
  doc: string;
  seq: number;
  update: Uint8Array;
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error("IndexedDB transaction aborted"));
  });
}

/** Every stored row of one document, oldest first. */
async function readRows(db: IDBDatabase, docName: string): Promise<UpdateRow[]> {
  const tx = db.transaction(UPDATES, "readonly");
  const range = IDBKeyRange.bound([docName, -Infinity], [docName, Infinity]);
  return request(tx.objectStore(UPDATES).getAll(range) as IDBRequest<UpdateRow[]>);
}

/** Names of every document stored on this device for the person. */
export async function storedDocumentNames(scope: string): Promise<string[]> {
  const db = await openDeviceDatabase(scope);
  const tx = db.transaction(UPDATES, "readonly");
  const keys = (await request(tx.objectStore(UPDATES).getAllKeys())) as [string, number][];
  return [...new Set(keys.map(([doc]) => doc))];
}

/**
 * Replaces the document's rows with their merge, in one transaction (read, merge and write together),
 * so a row another tab writes meanwhile is either merged or left alone, never dropped. Returns how
 * many rows were merged.
 */
function compact(db: IDBDatabase, docName: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(UPDATES, "readwrite");
    const store = tx.objectStore(UPDATES);
    let merged = 0;
    const req = store.getAll(IDBKeyRange.bound([docName, -Infinity], [docName, Infinity])) as IDBRequest<
      UpdateRow[]
    >;
    req.onsuccess = () => {
      const rows = req.result;
      if (rows.length < 2) return;
      const lastSeq = rows[rows.length - 1]!.seq;
      store.delete(IDBKeyRange.bound([docName, -Infinity], [docName, lastSeq]));
      store.put({ doc: docName, seq: lastSeq, update: foldUpdates(rows.map((row) => row.update)) });
      merged = rows.length;
    };
    tx.oncomplete = () => resolve(merged);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error("IndexedDB transaction aborted"));
  });
}

/**
 * Row keys: unique across tabs writing the same document at once (the time in ms, shifted, plus
 * randomness, and increasing within a tab). Order does not matter: Yjs applies updates in any order.
 */
let lastRowSeq = 0;
function newRowSeq(): number {
  lastRowSeq = Math.max(lastRowSeq + 1, Date.now() * 4096 + Math.floor(Math.random() * 4096));
  return lastRowSeq;
}

const whenIdle = (work: () => void) => {
  if (typeof requestIdleCallback === "function") requestIdleCallback(work, { timeout: 5_000 });
  else setTimeout(work, 200);
};

export function attachLocalStore(scope: string, name: string, doc: Y.Doc): LocalStore {
  let destroyed = false;
  let rowCount = 0;
  let compacting = false;
  let writes: Promise<void> = Promise.resolve();
  const early: Uint8Array[] = [];
  let ready = false;
  const database = openDeviceDatabase(scope);

  const append = (update: Uint8Array) => {
    rowCount++;
    writes = writes
      .then(async () => {
        const db = await database;
        // `add`, never `put`: a key taken by another tab fails (and is retried) instead of overwriting.
        for (let attempt = 0; ; attempt++) {
          const tx = db.transaction(UPDATES, "readwrite");
          tx.objectStore(UPDATES).add({ doc: name, seq: newRowSeq(), update } satisfies UpdateRow);
          try {
            await done(tx);
            return;
          } catch (error) {
            if (attempt >= 3 || (error as DOMException | null)?.name !== "ConstraintError") throw error;
          }
        }
      })
      .catch((error) => console.error(`cannot store ${name} on this device`, error));
    if (rowCount > COMPACT_AFTER_ROWS) scheduleCompaction();
  };

  const scheduleCompaction = () => {
    if (compacting || destroyed) return;
    compacting = true;
    whenIdle(() => {
      writes = writes
        .then(async () => {
          if (destroyed) return;
          const merged = await compact(await database, name);
          if (merged > 0) rowCount = rowCount - merged + 1;
        })
        .catch((error) => console.error(`cannot compact ${name} on this device`, error))
        .finally(() => {
          compacting = false;
        });
    });
  };

  const onUpdate = (update: Uint8Array, origin: unknown) => {
    if (origin === LOCAL_STORE_ORIGIN || destroyed) return;
    // Until the stored rows are read we do not know the next sequence number: hold the change.
    if (!ready) early.push(update);
    else append(update);
  };
  doc.on("update", onUpdate);

  const loaded = (async () => {
    try {
      const db = await database;
      const rows = await readRows(db, name);
      if (destroyed) return;
      rowCount = rows.length;
      if (rows.length > 0) {
        // With no "update" listener Yjs does not encode the transaction: nothing here needs it (these
        // rows are stored already), and encoding a whole segment is a large part of a cold open.
        doc.off("update", onUpdate);
        try {
          Y.transact(
            doc,
            () => {
              for (const row of rows) Y.applyUpdate(doc, row.update, LOCAL_STORE_ORIGIN);
            },
            LOCAL_STORE_ORIGIN,
          );
        } finally {
          if (!destroyed) doc.on("update", onUpdate);
        }
      }
      if (rowCount > COMPACT_AFTER_ROWS) scheduleCompaction();
    } catch (error) {
      // Without device storage the app still works online; say why in the console.
      console.error(`cannot read ${name} from this device`, error);
    } finally {
      ready = true;
      for (const update of early.splice(0)) append(update);
    }
  })();

  return {
    loaded,
    async flushed() {
      await loaded;
      await writes;
    },
    destroy() {
      destroyed = true;
      doc.off("update", onUpdate);
    },
  };
}
