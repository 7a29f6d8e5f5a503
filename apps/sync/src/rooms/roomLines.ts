import {
  appendMessage,
  createEventLine,
  type MessageEvent,
  newestSegment,
  roomDocName,
  segmentDocName,
  stampSequence,
} from "@chat/model";
import type * as Y from "yjs";
import type { Database } from "../db/database.ts";
import type { DocumentWriter } from "../docs/writer.ts";
import { allocateSequence } from "./rooms.ts";

/** A line the server writes in a room's history about the room itself ("alice added bob"). */
export interface RoomLine {
  /** Who did it: the line's author. */
  by: string;
  /** What it says, in words (what an app that does not know the event's type shows). */
  text: string;
  event: MessageEvent;
}

/**
 * Writes `lines` with `write` into a history segment, numbered like messages (the numbers reserved
 * first, the lines and their numbers written in one change).
 */
export async function writeRoomLines(
  db: Database,
  roomId: string,
  lines: readonly RoomLine[],
  write: (change: (doc: Y.Doc) => void) => Promise<void>,
): Promise<void> {
  if (lines.length === 0) return;
  const first = await allocateSequence(db, roomId, lines.length);
  const records = lines.map((line) => createEventLine(line.by, line.text, line.event));
  await write((doc) => {
    for (const record of records) appendMessage(doc, record);
    stampSequence(doc, new Map(records.map((record, i) => [record.id, first + i])));
  });
}

/** Writes `lines` into the room's newest history segment, wherever it is loaded. */
export async function writeToNewestSegment(
  db: Database,
  writer: DocumentWriter,
  roomId: string,
  lines: readonly RoomLine[],
): Promise<void> {
  let segment = 0;
  await writer.apply(roomDocName(roomId), (doc) => {
    segment = newestSegment(doc);
  });
  const name = segmentDocName(roomId, segment);
  await writeRoomLines(db, roomId, lines, (change) => writer.apply(name, change));
}
