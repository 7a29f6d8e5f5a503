import {
  isMessageRecord,
  listMessages,
  type MessageView,
  parseDocName,
  stampSequence,
  unsequencedMessages,
} from "@chat/model";
import type { afterLoadDocumentPayload, Extension, onChangePayload } from "@hocuspocus/server";
import * as Y from "yjs";
import type { Database } from "../db/database.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import { allocateSequence } from "../rooms.ts";

/**
 * Gives every accepted message the room's next sequence number: the order everyone sees, whatever
 * order Yjs put the array in. Numbers come from a counter row in Postgres, so several instances
 * never hand out the same one. A message reaches here only after persistence stored it, so a
 * sequenced message is a stored message (the ✓ in the UI). Stamping runs one at a time per document.
 *
 * An instance numbers only the messages its own clients sent (read from the update itself): with
 * several instances, a message relayed through Redis may arrive before its number does, and must not
 * be numbered twice. After a load, a sweep numbers messages a crash left without one; with peers it
 * waits `recoveryDelayMs` so that a number already on its way from another instance lands first.
 */
export class Sequencer implements Extension {
  priority = 50;
  extensionName = "sequencer";
  private readonly chains = new Map<string, Promise<void>>();
  private readonly recoveryDelayMs: number;

  private readonly db: Database;
  private readonly log: Logger;

  private readonly metrics: Metrics | undefined;
  /** What else happens once messages have their numbers (member index, mention invites); awaited in turn. */
  private readonly onSequenced: SequencedHandler | undefined;

  constructor(
    db: Database,
    log: Logger,
    options: { recoveryDelayMs?: number; metrics?: Metrics; onSequenced?: SequencedHandler } = {},
  ) {
    this.db = db;
    this.log = log;
    this.recoveryDelayMs = options.recoveryDelayMs ?? 0;
    this.metrics = options.metrics;
    this.onSequenced = options.onSequenced;
  }

  async onChange({ documentName, document, transactionOrigin, update }: onChangePayload): Promise<void> {
    if ((transactionOrigin as { source?: string } | undefined)?.source !== "connection") return;
    const sent = messageIdsIn(update);
    if (sent.size > 0) await this.schedule(documentName, document, sent);
  }

  async afterLoadDocument({ documentName, document }: afterLoadDocumentPayload): Promise<void> {
    if (this.recoveryDelayMs === 0) return this.schedule(documentName, document, null);
    setTimeout(() => void this.schedule(documentName, document, null), this.recoveryDelayMs).unref();
  }

  /** Resolves when every message seen so far in the document has its number. */
  async settled(documentName: string): Promise<void> {
    await this.chains.get(documentName);
  }

  /** Numbers the unsequenced messages among `only` (all of them when null), in array order. */
  private schedule(documentName: string, document: Y.Doc, only: ReadonlySet<string> | null): Promise<void> {
    const ref = parseDocName(documentName);
    if (ref?.kind !== "segment") return Promise.resolve();
    const next = (this.chains.get(documentName) ?? Promise.resolve())
      .then(() => this.stamp(ref.roomId, document, only))
      .catch((error) =>
        this.log.error(
          { doc: documentName, error: String(error) },
          "cannot sequence messages; retrying on next change",
        ),
      );
    this.chains.set(documentName, next);
    void next.then(() => {
      if (this.chains.get(documentName) === next) this.chains.delete(documentName);
    });
    return next;
  }

  private async stamp(roomId: string, document: Y.Doc, only: ReadonlySet<string> | null): Promise<void> {
    if (document.isDestroyed) return;
    const pending = unsequencedMessages(document).filter((m) => only === null || only.has(m.id));
    if (pending.length === 0) return;
    const first = await allocateSequence(this.db, roomId, pending.length);
    const stamps = new Map(pending.map((message, index) => [message.id, first + index]));
    document.transact(() => stampSequence(document, stamps), { source: "local" });
    this.metrics?.messagesSequenced(stamps.size);
    if (this.onSequenced)
      await this.onSequenced(
        roomId,
        document,
        listMessages(document).filter((m) => stamps.has(m.id)),
      ).catch((error) =>
        this.log.error({ room: roomId, error: String(error) }, "cannot update indexes after sequencing"),
      );
  }
}

export type SequencedHandler = (roomId: string, document: Y.Doc, messages: MessageView[]) => Promise<void>;

/** Ids of the message records an update carries (whatever else it holds). */
function messageIdsIn(update: Uint8Array): Set<string> {
  const ids = new Set<string>();
  for (const struct of Y.decodeUpdate(update).structs) {
    if (!(struct instanceof Y.Item) || !(struct.content instanceof Y.ContentAny)) continue;
    for (const value of struct.content.arr) if (isMessageRecord(value)) ids.add(value.id);
  }
  return ids;
}
