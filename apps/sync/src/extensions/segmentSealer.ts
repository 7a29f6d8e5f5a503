import { messageCount, openNextSegment, parseDocName, roomDocName, SEGMENT_CAPACITY } from "@chat/model";
import type { Extension, onChangePayload } from "@hocuspocus/server";
import { isClientChange } from "../context.ts";
import type { DocumentWriter } from "../docs/writer.ts";
import type { Logger } from "../log.ts";

/**
 * Keeps every document small (docs/architecture.md, "Who writes which document"): once the newest history segment of a room
 * holds SEGMENT_CAPACITY messages, the room's segment list gains the next one, and clients write
 * there from then on. Sequence numbers run on across segments (they come from the room's counter).
 *
 * A message written offline into a segment that was sealed meanwhile is not lost: it is accepted into
 * that segment like any other, gets the room's next number and shows in order; a sealed segment only
 * grows by what devices wrote before they learned of its successor, and by at most `segmentSlack`
 * messages past SEGMENT_CAPACITY in all (the write guard refuses more: limits/segmentGrowth.ts).
 */
export class SegmentSealer implements Extension {
  // After the sequencer (50): a message is counted once it is accepted and stored.
  priority = 40;
  extensionName = "segment-sealer";

  private readonly writer: DocumentWriter;
  private readonly log: Logger;
  private readonly capacity: number;
  /** Segments this instance has sealed (or seen sealed): no need to look at the room again. */
  private readonly sealed = new Set<string>();
  private readonly sealing = new Map<string, Promise<void>>();

  constructor(writer: DocumentWriter, log: Logger, capacity = SEGMENT_CAPACITY) {
    this.writer = writer;
    this.log = log;
    this.capacity = capacity;
  }

  async onChange({ documentName, document, transactionOrigin }: onChangePayload): Promise<void> {
    if (!isClientChange(transactionOrigin)) return;
    const ref = parseDocName(documentName);
    if (ref?.kind !== "segment" || this.sealed.has(documentName)) return;
    if (messageCount(document) < this.capacity) return;
    let running = this.sealing.get(documentName);
    if (!running) {
      running = this.seal(ref.roomId, ref.segment, documentName).finally(() =>
        this.sealing.delete(documentName),
      );
      this.sealing.set(documentName, running);
    }
    await running;
  }

  private async seal(roomId: string, segment: number, documentName: string): Promise<void> {
    try {
      let opened: number | null = null;
      await this.writer.apply(roomDocName(roomId), (doc) => {
        opened = openNextSegment(doc, segment);
      });
      this.sealed.add(documentName);
      if (opened !== null)
        this.log.info({ room: roomId, sealed: segment, next: opened }, "sealed a history segment");
    } catch (error) {
      // The next message into the segment tries again.
      this.log.error({ room: roomId, segment, error: String(error) }, "cannot seal a history segment");
    }
  }
}
