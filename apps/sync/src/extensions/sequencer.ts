import { parseDocName, stampSequence, unsequencedMessages } from "@chat/model";
import type { afterLoadDocumentPayload, Extension, onChangePayload } from "@hocuspocus/server";
import type * as Y from "yjs";
import type { Database } from "../db/database.ts";
import type { Logger } from "../log.ts";
import { allocateSequence } from "../rooms.ts";

/**
 * Gives every accepted message the room's next sequence number: the order everyone sees, whatever
 * order Yjs put the array in. Numbers come from a counter row in Postgres, so several instances
 * never hand out the same one. A message reaches here only after persistence stored it, so a
 * sequenced message is a stored message (the ✓ in the UI). Stamping runs one at a time per
 * document; after a load it also catches up on messages a crash left unstamped.
 */
export class Sequencer implements Extension {
  priority = 50;
  extensionName = "sequencer";
  private readonly chains = new Map<string, Promise<void>>();

  private readonly db: Database;
  private readonly log: Logger;

  constructor(db: Database, log: Logger) {
    this.db = db;
    this.log = log;
  }

  async onChange({ documentName, document, transactionOrigin }: onChangePayload): Promise<void> {
    if ((transactionOrigin as { source?: string } | undefined)?.source !== "connection") return;
    await this.schedule(documentName, document);
  }

  async afterLoadDocument({ documentName, document }: afterLoadDocumentPayload): Promise<void> {
    await this.schedule(documentName, document);
  }

  /** Resolves when every message seen so far in the document has its number. */
  async settled(documentName: string): Promise<void> {
    await this.chains.get(documentName);
  }

  private schedule(documentName: string, document: Y.Doc): Promise<void> {
    const ref = parseDocName(documentName);
    if (ref?.kind !== "segment") return Promise.resolve();
    const next = (this.chains.get(documentName) ?? Promise.resolve())
      .then(() => this.stamp(ref.roomId, document))
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

  private async stamp(roomId: string, document: Y.Doc): Promise<void> {
    const pending = unsequencedMessages(document);
    if (pending.length === 0) return;
    const first = await allocateSequence(this.db, roomId, pending.length);
    const stamps = new Map(pending.map((message, index) => [message.id, first + index]));
    document.transact(() => stampSequence(document, stamps), { source: "local" });
  }
}
