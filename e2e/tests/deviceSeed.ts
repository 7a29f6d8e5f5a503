import {
  initRoom,
  type MessageRecord,
  ROOTS,
  type RoomMeta,
  roomDocName,
  SEGMENT_CAPACITY,
  segmentDocName,
  stampSequence,
} from "@chat/model";
import * as Y from "yjs";
import type { Person } from "./support.ts";

/**
 * Histories written straight into a browser's device store, as the app stores them (Yjs updates in
 * IndexedDB, one segment document per SEGMENT_CAPACITY messages), for tests that need long rooms
 * without sending thousands of messages through the UI.
 */

export function messagesFor(author: string, from: number, count: number): MessageRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const n = from + i;
    return {
      id: `s${n.toString(36).padStart(15, "0")}`,
      author,
      createdAt: Date.UTC(2026, 0, 1) + n * 60_000,
      text: `History message number ${n + 1}: **status** update for the team`,
      mentions: [],
    };
  });
}

/**
 * The room document and its segments as Yjs updates, base64 (for page.evaluate). With `justSealed`
 * the room also lists a new, empty newest segment after the full ones, as the server leaves a room
 * right after sealing.
 */
export function seedRoom(
  roomId: string,
  name: string,
  author: string,
  total: number,
  options: { justSealed?: boolean } = {},
): Map<string, string> {
  const rows = new Map<string, string>();
  const segmentCount = Math.ceil(total / SEGMENT_CAPACITY);
  const listed = segmentCount + (options.justSealed ? 1 : 0);
  const room = new Y.Doc();
  const meta: RoomMeta = {
    id: roomId,
    name,
    kind: "channel",
    topic: "",
    archived: false,
    createdBy: author,
    createdAt: Date.UTC(2026, 0, 1),
  };
  initRoom(room, meta);
  const segments = room.getArray<number>(ROOTS.room.segments);
  segments.insert(
    segments.length,
    Array.from({ length: listed - 1 }, (_, i) => i + 1),
  );
  rows.set(roomDocName(roomId), Buffer.from(Y.encodeStateAsUpdate(room)).toString("base64"));
  for (let s = 0; s < segmentCount; s++) {
    const doc = new Y.Doc();
    const from = s * SEGMENT_CAPACITY;
    const batch = messagesFor(author, from, Math.min(SEGMENT_CAPACITY, total - from));
    const list = doc.getArray<MessageRecord>(ROOTS.segment.messages);
    list.insert(0, batch);
    stampSequence(doc, new Map(batch.map((m, i) => [m.id, from + i + 1])));
    rows.set(segmentDocName(roomId, s), Buffer.from(Y.encodeStateAsUpdate(doc)).toString("base64"));
  }
  return rows;
}

/** Writes rows into the app's device database (see apps/web/src/device/localStore.ts). */
export async function writeToDevice(
  person: Person,
  userId: string,
  rows: Map<string, string>,
): Promise<void> {
  const entries = [...rows];
  for (let i = 0; i < entries.length; i += 5) {
    await person.page.evaluate(
      `(async (userId, rows) => {
        const db = await new Promise((resolve, reject) => {
          const req = indexedDB.open("chat-device:" + userId, 1);
          req.onupgradeneeded = () => req.result.createObjectStore("updates", { keyPath: ["doc", "seq"] });
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => reject(req.error);
        });
        const tx = db.transaction("updates", "readwrite");
        for (const [doc, base64] of rows) {
          const update = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
          tx.objectStore("updates").put({ doc, seq: 1000000000, update });
        }
        await new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onerror = () => reject(tx.error); });
        db.close();
      })(${JSON.stringify(userId)}, ${JSON.stringify(entries.slice(i, i + 5))})`,
    );
  }
}
