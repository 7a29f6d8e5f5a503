import { foldUpdates } from "@chat/model";
import * as Y from "yjs";
import { openDeviceDatabase, UPDATES_STORE } from "./deviceDatabase";
import { type StoredRow, takeFirstScreenRows, takeReadRows } from "./firstScreenRows";

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
  /** Changes from this origin (the provider) came from the server: they are never pending. */
  setRemoteOrigin(origin: unknown): void;
  /**
   * What this person changed here that the server has not confirmed yet, one key per thing changed
   * (`<root>:<key>` of the top-level map entry: an edited message, a read position, a setting).
   * Appended messages are not in it: they count as pending until the server sequences them.
   * Survives a reload: the flag is stored with the row.
   */
  pendingKeys(): ReadonlySet<string>;
  /** Everything changed so far is on the server (its provider has no unsynced changes). */
  confirm(): void;
  /**
   * The server refused what this device changed: the document's device copy is deleted and nothing
   * more of it is stored, so the next load takes the server's copy whole instead of sending the refused
   * change again and again. Dropping only the refused rows is not enough: the rows that came from the
   * server afterwards carry the deletions Yjs made while merging them with the refused change (the
   * losing side of a conflict on a map key), which the server would refuse in turn.
   */
  discardDeviceCopy(): Promise<void>;
  destroy(): void;
}

/** The keys a local change touched, for counting what is pending (see `pendingKeys`). */
export function changedKeys(transaction: Y.Transaction): string[] {
  const doc = transaction.doc;
  const rootNames = new Map<unknown, string>();
  for (const [rootName, type] of doc.share) rootNames.set(type, rootName);
  const keys = new Set<string>();
  for (const [changedType, subs] of transaction.changed) {
    // Climb to the root type, remembering under which key of it the change happened.
    // biome-ignore lint/suspicious/noExplicitAny: Yjs types its roots by their event type
    let type: Y.AbstractType<any> = changedType;
    let topKey: string | null = null;
    const directKeys = [...subs];
    while (type._item !== null) {
      topKey = type._item.parentSub;
      // biome-ignore lint/suspicious/noExplicitAny: an integrated item's parent is a type
      type = type._item.parent as Y.AbstractType<any>;
    }
    const rootName = rootNames.get(type);
    if (rootName === undefined || !(type instanceof Y.Map)) continue;
    if (topKey !== null) keys.add(`${rootName}:${topKey}`);
    else for (const key of directKeys) if (key !== null) keys.add(`${rootName}:${key}`);
  }
  return [...keys];
}

const UPDATES = UPDATES_STORE;
/** More rows than this for one document and they are merged into one. */
export const COMPACT_AFTER_ROWS = 40;
/** The origin of changes that came from the device store, so they are not written back. */
export const LOCAL_STORE_ORIGIN = Symbol("local-store");

type UpdateRow = StoredRow;

/** A change made on this device that the server has not confirmed. */
interface Unconfirmed {
  keys: string[];
  /** Its row, once written (null while the write is under way). */
  seq: number | null;
  confirmed: boolean;
}

/** A change to write: its update, and whether it is this person's own (then counted until confirmed). */
interface Change {
  update: Uint8Array;
  mine: Unconfirmed | null;
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
      // Rows the server has not confirmed stay as they are: they are counted, and dropped if refused.
      const rows = req.result.filter((row) => row.local === undefined);
      if (rows.length < 2) return;
      const lastSeq = rows[rows.length - 1]!.seq;
      for (const row of rows) store.delete([docName, row.seq]);
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

/** Drops the "not yet on the server" flag of these rows (they stay, as ordinary rows). */
function clearLocalFlags(db: IDBDatabase, docName: string, seqs: readonly number[]): Promise<void> {
  const tx = db.transaction(UPDATES, "readwrite");
  const store = tx.objectStore(UPDATES);
  for (const seq of seqs) {
    const req = store.get([docName, seq]) as IDBRequest<UpdateRow | undefined>;
    req.onsuccess = () => {
      const row = req.result;
      if (!row || row.local === undefined) return;
      delete row.local;
      store.put(row);
    };
  }
  return done(tx).catch((error) => console.error(`cannot update ${docName} on this device`, error));
}

/**
 * Adds the rows in one transaction. `add`, never `put`: a key another tab took at the same moment
 * fails the transaction, which is tried again with new keys, instead of overwriting that tab's row.
 */
async function writeRows(db: IDBDatabase, docName: string, batch: readonly Change[]): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const tx = db.transaction(UPDATES, "readwrite");
    const store = tx.objectStore(UPDATES);
    const rows = batch.map(({ update, mine }) => {
      const row: UpdateRow = { doc: docName, seq: newRowSeq(), update };
      if (mine && !mine.confirmed) row.local = mine.keys;
      // Known at once, so a confirmation arriving before the commit clears the right row.
      if (mine) mine.seq = row.seq;
      store.add(row);
      return row;
    });
    // Nothing more goes into it: commit now instead of when the page next returns to its event loop.
    tx.commit?.();
    try {
      await done(tx);
      // A confirmation that came during a retry cleared the keys of the first attempt.
      const confirmedMeanwhile = rows.filter((row, i) => row.local && batch[i]!.mine?.confirmed);
      if (attempt > 0 && confirmedMeanwhile.length > 0)
        await clearLocalFlags(
          db,
          docName,
          confirmedMeanwhile.map((row) => row.seq),
        );
      return;
    } catch (error) {
      if (attempt >= 3 || (error as DOMException | null)?.name !== "ConstraintError") throw error;
    }
  }
}

export function attachLocalStore(
  scope: string,
  name: string,
  doc: Y.Doc,
  /** Called when the set of pending keys may have changed. */
  onPendingChange?: () => void,
): LocalStore {
  let destroyed = false;
  let rowCount = 0;
  let compacting = false;
  let writes: Promise<void> = Promise.resolve();
  const early: Change[] = [];
  let ready = false;
  const database = openDeviceDatabase(scope);

  const unconfirmed = new Set<Unconfirmed>();
  let remoteOrigin: unknown = null;

  // The database, once open: a change's write is begun synchronously from then on.
  let openDb: IDBDatabase | null = null;
  void database.then(
    (db) => {
      openDb = db;
    },
    () => {},
  );
  /** Changes made in the current task, written together in one transaction before the task ends. */
  let queued: Change[] = [];
  let writeScheduled = false;

  const append = (update: Uint8Array, mine: Unconfirmed | null) => {
    rowCount++;
    queued.push({ update, mine });
    if (!writeScheduled) {
      writeScheduled = true;
      queueMicrotask(writeQueued);
    }
    if (rowCount > COMPACT_AFTER_ROWS) scheduleCompaction();
  };

  /**
   * Begins the write of what was queued at once, without waiting for earlier writes to finish:
   * IndexedDB runs read-write transactions on one store in the order they began, so rows still land
   * in order, and a page closed or navigated away right after a keystroke has already handed that
   * keystroke to the browser. (Before, each change waited for the one before it to commit, so the last
   * keystrokes of a burst of typing were still queued in the page when it went away.)
   */
  const writeQueued = () => {
    writeScheduled = false;
    if (queued.length === 0) return;
    if (openDb === null) {
      // Not open yet (it opened for the read ahead, so this is a moment at most).
      writeScheduled = true;
      database.then(writeQueued, (error) => console.error(`cannot store ${name} on this device`, error));
      return;
    }
    const batch = queued;
    queued = [];
    const written = writeRows(openDb, name, batch).catch((error) =>
      console.error(`cannot store ${name} on this device`, error),
    );
    writes = writes.then(() => written);
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

  const onUpdate = (update: Uint8Array, origin: unknown, _doc: Y.Doc, transaction: Y.Transaction) => {
    if (origin === LOCAL_STORE_ORIGIN || destroyed) return;
    let mine: Unconfirmed | null = null;
    if (remoteOrigin === null || origin !== remoteOrigin) {
      mine = { keys: changedKeys(transaction), seq: null, confirmed: false };
      unconfirmed.add(mine);
      if (mine.keys.length > 0) onPendingChange?.();
    }
    // Until the stored rows are read we do not know the next sequence number: hold the change.
    if (!ready) early.push({ update, mine });
    else append(update, mine);
  };
  doc.on("update", onUpdate);

  /** Applies the document's stored rows (read from the device) to it. */
  const applyStored = (rows: UpdateRow[]) => {
    rowCount = rows.length;
    let pendingLoaded = false;
    for (const row of rows)
      if (row.local !== undefined) {
        unconfirmed.add({ keys: row.local, seq: row.seq, confirmed: false });
        pendingLoaded ||= row.local.length > 0;
      }
    if (pendingLoaded) onPendingChange?.();
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
  };
  const settle = () => {
    ready = true;
    for (const { update, mine } of early.splice(0)) append(update, mine);
  };

  // Read ahead with the rest of the first screen and already there (firstScreenRows.ts): applied now,
  // so whoever opened the document renders it with its content.
  const readAlready = takeReadRows(scope, name);
  const loaded = readAlready
    ? (() => {
        try {
          applyStored(readAlready);
        } catch (error) {
          console.error(`cannot read ${name} from this device`, error);
        } finally {
          settle();
        }
        return Promise.resolve();
      })()
    : (async () => {
        try {
          const db = await database;
          // Read ahead with the rest of the first screen (firstScreenRows.ts) when this is part of it.
          const rows = await (takeFirstScreenRows(scope, name)?.catch(() => readRows(db, name)) ??
            readRows(db, name));
          if (destroyed) return;
          applyStored(rows);
        } catch (error) {
          // Without device storage the app still works online; say why in the console.
          console.error(`cannot read ${name} from this device`, error);
        } finally {
          settle();
        }
      })();

  return {
    loaded,
    async flushed() {
      await loaded;
      await writes;
    },
    setRemoteOrigin(origin) {
      remoteOrigin = origin;
    },
    pendingKeys() {
      const keys = new Set<string>();
      for (const change of unconfirmed) for (const key of change.keys) keys.add(key);
      return keys;
    },
    confirm() {
      if (unconfirmed.size === 0) return;
      const written: number[] = [];
      let counted = false;
      for (const change of unconfirmed) {
        change.confirmed = true;
        counted ||= change.keys.length > 0;
        // Not yet written: `append` writes it without the flag.
        if (change.seq !== null) written.push(change.seq);
      }
      unconfirmed.clear();
      if (written.length > 0)
        writes = writes.then(async () => clearLocalFlags(await database, name, written));
      if (counted) onPendingChange?.();
      // Rows written while offline could not be merged until now.
      if (rowCount > COMPACT_AFTER_ROWS) scheduleCompaction();
    },
    async discardDeviceCopy() {
      unconfirmed.clear();
      onPendingChange?.();
      doc.off("update", onUpdate);
      await loaded;
      await writes;
      destroyed = true;
      const tx = (await database).transaction(UPDATES, "readwrite");
      tx.objectStore(UPDATES).delete(IDBKeyRange.bound([name, -Infinity], [name, Infinity]));
      await done(tx);
    },
    destroy() {
      destroyed = true;
      doc.off("update", onUpdate);
    },
  };
}
