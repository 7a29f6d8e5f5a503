import { afterNextPaint } from "../lib/afterPaint";
import { openDeviceDatabase, UPDATES_STORE } from "./deviceDatabase";

/**
 * The device rows the first screen needs, read in one IndexedDB transaction the moment the device
 * database is open (warmDevice.ts starts this before the app is evaluated): the directory, the
 * person's index and, on a room's address, the room document and its newest segment on the device.
 * Each document's store takes its rows from here, once, instead of reading them itself. Without it
 * a cold open of a room with no cached tail read the room, then (once the room said which segment is
 * newest) the segment, each in a transaction of its own that waited for the main thread first.
 *
 * When the read has finished before the app renders (it usually has: it starts from the build's small
 * first-screen entry, see warmDevice.ts), the stores of the room and its newest segment take their
 * rows at once (`takeReadRows`) and apply them before the first render, so the first screen is drawn
 * once, with the room's messages in it, instead of drawing the shell first and the messages a few
 * tasks later. The directory and the index are not needed for that (the nav is drawn from its
 * snapshot until both are loaded), so they are applied after the first render as before. Nor is a room
 * whose latest messages are cached (roomTail.ts, `roomAtOnce` false): those show at once anyway, and
 * decoding the segment must not delay them. Rows not applied at once that are already read are held
 * until the frame after their store opened is painted: a promise already settled would hand them
 * over in the first render's own task, before the paint.
 *
 * Kept free of Yjs and of the model, like deviceDatabase.ts, so importing it evaluates nothing heavy
 * before the database starts opening. Document names are spelled as packages/model/src/schema.ts
 * spells them (a test checks they agree).
 */
export interface StoredRow {
  doc: string;
  seq: number;
  update: Uint8Array;
  /** Set on a change made on this device until the server has it: the keys it changed. */
  local?: string[];
}

export const firstScreenNames = {
  directory: "directory",
  user: (userId: string) => `user:${userId}`,
  room: (roomId: string) => `room:${roomId}`,
  segmentPrefix: (roomId: string) => `room:${roomId}/`,
};

/** Rows not taken by then were not needed (the person went elsewhere): let them go. */
const UNUSED_MS = 10_000;
const waiting = new Map<string, Promise<StoredRow[]>>();
/** Rows already read, for a store to take synchronously (a subset of `waiting`). */
const ready = new Map<string, StoredRow[]>();
/**
 * Rows of `waiting` already read (a subset): taken through the promise, they are handed over once
 * the next frame is painted, since a settled promise would hand them over in the first render's own
 * microtasks, before its paint.
 */
const heldUntilPainted = new Set<string>();
const key = (scope: string, name: string) => `${scope}\n${name}`;
/** The read ahead of a room whose messages it brings (`roomAtOnce`), until it has settled. */
let roomRead: Promise<void> | null = null;

export function prefetchFirstScreen(
  scope: string,
  roomId: string | null,
  options: { roomAtOnce: boolean } = { roomAtOnce: true },
): void {
  const names = [firstScreenNames.directory, firstScreenNames.user(scope)];
  if (roomId) names.push(firstScreenNames.room(roomId));
  // With a cached tail the segment is not read here: its rows (hundreds of kB, which Chromium keeps
  // as a blob and hands over in extra steps) would arrive while the main chunk starts, for nothing the
  // first screen shows; its store reads them once the room is opened, after the first paint.
  const read = openDeviceDatabase(scope).then((db) =>
    readTogether(db, names, options.roomAtOnce ? roomId : null),
  );
  read.catch(() => undefined);
  for (const name of names)
    waiting.set(
      key(scope, name),
      read.then((byName) => byName.get(name) ?? []),
    );
  // The newest segment's name is known once read: from then on its rows wait under that name (the
  // room's store, which opens the segment, continues after this has run). Rows a store has not taken
  // yet can be taken at once from now on; never rows a store already took (it may since have been
  // closed and the document changed: a store opened again must read the device afresh).
  void read.then(
    (byName) => {
      for (const [name, rows] of byName) {
        const k = key(scope, name);
        const listed = names.includes(name);
        if (!listed) waiting.set(k, Promise.resolve(rows));
        if (waiting.has(k)) heldUntilPainted.add(k);
        const ofTheRoom = !listed || (roomId !== null && name === firstScreenNames.room(roomId));
        if (waiting.has(k) && ofTheRoom && options.roomAtOnce) ready.set(k, rows);
      }
    },
    () => undefined,
  );
  if (roomId !== null && options.roomAtOnce) {
    // Registered after the callback above, so it settles once the rows can be taken at once.
    const settled: Promise<void> = read.then(
      () => undefined,
      () => undefined,
    );
    roomRead = settled;
    void settled.then(() => {
      if (roomRead === settled) roomRead = null;
    });
  }
  setTimeout(() => {
    for (const map of [waiting, ready, heldUntilPainted])
      for (const name of [...map.keys()]) if (name.startsWith(`${scope}\n`)) map.delete(name);
  }, UNUSED_MS);
}

/**
 * Settles when the read ahead of the open room's messages has finished, or after `maxWaitMs`;
 * undefined when there is none to wait for (no room on screen, or its latest messages are cached).
 * main.tsx waits on it before the first render: while the page is busy drawing a first screen
 * without the messages, the read's answers wait for it (measured: the read then finished 40-130 ms
 * after the first render instead of 5-20 ms), and the messages came with a second render and paint.
 */
export function firstScreenRead(maxWaitMs: number): Promise<void> | undefined {
  const read = roomRead;
  if (!read) return undefined;
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, maxWaitMs);
    void read.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The rows read ahead for this document (once), or undefined when there are none: read them yourself. */
export function takeFirstScreenRows(scope: string, name: string): Promise<StoredRow[]> | undefined {
  const k = key(scope, name);
  const rows = waiting.get(k);
  if (!rows) return undefined;
  waiting.delete(k);
  ready.delete(k);
  return heldUntilPainted.delete(k)
    ? rows.then((value) => new Promise((resolve) => afterNextPaint(() => resolve(value))))
    : rows;
}

/**
 * The rows read ahead for this document if the read has already finished and they may be applied at
 * once (taken, like `takeFirstScreenRows`); undefined otherwise.
 */
export function takeReadRows(scope: string, name: string): StoredRow[] | undefined {
  const rows = ready.get(key(scope, name));
  if (rows) {
    ready.delete(key(scope, name));
    waiting.delete(key(scope, name));
    heldUntilPainted.delete(key(scope, name));
  }
  return rows;
}

/** Reads the documents `names`, and the newest segment of `segmentsOf` (a room id) if given. */
function readTogether(
  db: IDBDatabase,
  names: string[],
  segmentsOf: string | null,
): Promise<Map<string, StoredRow[]>> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(UPDATES_STORE, "readonly");
    const store = tx.objectStore(UPDATES_STORE);
    const byName = new Map<string, StoredRow[]>();
    const getRows = (name: string) => {
      const req = store.getAll(IDBKeyRange.bound([name, -Infinity], [name, Infinity]));
      req.onsuccess = () => byName.set(name, req.result as StoredRow[]);
    };
    for (const name of names) getRows(name);
    if (segmentsOf) {
      // Which segments the device holds, from the keys alone; the highest is the newest it has.
      const prefix = firstScreenNames.segmentPrefix(segmentsOf);
      const keys = store.getAllKeys(IDBKeyRange.bound([prefix, -Infinity], [`${prefix}\uffff`, Infinity]));
      keys.onsuccess = () => {
        let newest = -1;
        for (const [doc] of keys.result as unknown as [string, number][]) {
          const n = Number(doc.slice(prefix.length));
          if (Number.isSafeInteger(n) && n > newest) newest = n;
        }
        if (newest >= 0) getRows(`${prefix}${newest}`);
      };
    }
    tx.oncomplete = () => resolve(byName);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error("IndexedDB transaction aborted"));
  });
}
