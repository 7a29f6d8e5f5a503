import {
  appendMessage,
  createEventLine,
  type MessageEvent,
  newestSegment,
  roomDocName,
  segmentDocName,
  stampSequence,
} from "@chat/model";
import type { Database } from "../db/database.ts";
import type { DocumentWriter } from "../docs/writer.ts";
import { allocateSequence } from "../rooms.ts";

/**
 * Writes a line about the room ("alice added bob") into its newest history segment, sequenced like
 * a message, from outside any segment hook (the HTTP API).
 */
export async function appendEventLine(
  db: Database,
  writer: DocumentWriter,
  roomId: string,
  by: string,
  text: string,
  event: MessageEvent,
): Promise<void> {
  let segment = 0;
  await writer.apply(roomDocName(roomId), (doc) => {
    segment = newestSegment(doc);
  });
  const seq = await allocateSequence(db, roomId, 1);
  const line = createEventLine(by, text, event);
  await writer.apply(segmentDocName(roomId, segment), (doc) => {
    appendMessage(doc, line);
    stampSequence(doc, new Map([[line.id, seq]]));
  });
}
