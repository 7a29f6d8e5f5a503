import { listSegments, roomDocName } from "@chat/model";
import * as Y from "yjs";
import type { Queryable } from "../db/database.ts";
import { readDocument } from "./documentStore.ts";

/** Rooms whose newest segment is remembered; beyond this the oldest are read again when asked. */
const REMEMBERED_ROOMS = 50_000;

/**
 * Which history segments of a room exist: those its room document lists (the server lists segment 0
 * when it makes the room, and the next one each time one fills up: extensions/segmentSealer.ts). The
 * list only ever grows by one number at a time, so "listed" is "at most the newest".
 *
 * A client learns of a new segment from the room document, and the sealer stores it in Postgres
 * before any instance applies it or relays it to another (docs/serverChanges.ts). So a segment is
 * looked for in the room document this instance has loaded, then in Postgres, before it is called
 * missing: one just opened on another instance is found, even before its relay arrives here.
 */
export class RoomSegments {
  private readonly db: Queryable;
  private readonly loaded: (documentName: string) => Y.Doc | undefined;
  /** Newest segment seen per room: segments up to it exist without looking again. */
  private readonly newest = new Map<string, number>();

  constructor(db: Queryable, loaded: (documentName: string) => Y.Doc | undefined) {
    this.db = db;
    this.loaded = loaded;
  }

  async exists(roomId: string, segment: number): Promise<boolean> {
    if (segment === 0 || segment <= (this.newest.get(roomId) ?? 0)) return true;
    const inMemory = this.loaded(roomDocName(roomId));
    let listed = inMemory ? listSegments(inMemory) : [];
    if (!listed.includes(segment)) listed = await this.stored(roomId);
    const newest = listed.at(-1) ?? 0;
    this.remember(roomId, newest);
    return listed.includes(segment);
  }

  private async stored(roomId: string): Promise<number[]> {
    const doc = new Y.Doc();
    try {
      const rows = await readDocument(this.db, roomDocName(roomId));
      Y.transact(doc, () => {
        for (const row of rows) Y.applyUpdate(doc, row);
      });
      return listSegments(doc);
    } finally {
      doc.destroy();
    }
  }

  private remember(roomId: string, newest: number): void {
    if (newest <= (this.newest.get(roomId) ?? 0)) return;
    this.newest.delete(roomId);
    if (this.newest.size >= REMEMBERED_ROOMS) this.newest.delete(this.newest.keys().next().value!);
    this.newest.set(roomId, newest);
  }
}
