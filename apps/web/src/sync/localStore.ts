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
 * more than COMPACT_AFTER_ROWS rows, the rows are merged into one while the browser is idle
 * (Y.mergeUpdates works on the encoded updates, without the document), so rows stay few and loads stay
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
 * Replaces rows up to `lastSeq` with their merge, in one transaction: rows written meanwhile have
 * higher sequence numbers and stay.
 */
async function compact(db: IDBDatabase, docName: string, rows: UpdateRow[]): Promise<void> {
  if (rows.length < 2) return;
  const merged = Y.mergeUpdates(rows.map((row) => row.update));
  const lastSeq = rows[rows.length - 1]!.seq;
  const tx = db.transaction(UPDATES, "readwrite");
  const store = tx.objectStore(UPDATES);
  store.delete(IDBKeyRange.bound([docName, -Infinity], [docName, lastSeq]));
  store.put({ doc: docName, seq: lastSeq, update: merged } satisfies UpdateRow);
  await done(tx);
}

const whenIdle = (work: () => void) => {
  if (typeof requestIdleCallback === "function") requestIdleCallback(work, { timeout: 5_000 });
  else setTimeout(work, 200);
};

export function attachLocalStore(scope: string, name: string, doc: Y.Doc): LocalStore {
  let destroyed = false;
  let nextSeq = 0;
  let rowCount = 0;
  let compacting = false;
  let writes: Promise<void> = Promise.resolve();
  const early: Uint8Array[] = [];
  let ready = false;
  const database = openDeviceDatabase(scope);

  const append = (update: Uint8Array) => {
    const seq = nextSeq++;
    rowCount++;
    writes = writes
      .then(async () => {
        const db = await database;
        const tx = db.transaction(UPDATES, "readwrite");
        tx.objectStore(UPDATES).put({ doc: name, seq, update } satisfies UpdateRow);
        await done(tx);
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
          const db = await database;
          const rows = await readRows(db, name);
          await compact(db, name, rows);
          rowCount = rowCount - rows.length + 1;
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
      nextSeq = rows.length === 0 ? 0 : rows[rows.length - 1]!.seq + 1;
      rowCount = rows.length;
      if (rows.length > 0)
        Y.transact(
          doc,
          () => {
            for (const row of rows) Y.applyUpdate(doc, row.update, LOCAL_STORE_ORIGIN);
          },
          LOCAL_STORE_ORIGIN,
        );
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
