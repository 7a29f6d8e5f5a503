import {
  isMessageRecord,
  type MessageView,
  parseDocName,
  stampSequence,
  unsequencedMessages,
  viewsOf,
} from "@chat/model";
import type { afterLoadDocumentPayload, Extension, onChangePayload } from "@hocuspocus/server";
import * as Y from "yjs";
import { isClientChange } from "../context.ts";
import type { Database } from "../db/database.ts";
import type { ServerChanges } from "../docs/serverChanges.ts";
import { backoffMs } from "../lib/backoff.ts";
import { SerialQueues } from "../lib/serialQueues.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import { allocateSequence } from "../rooms/rooms.ts";

/**
 * Gives every accepted message the room's next sequence number: the order everyone sees, whatever
 * order Yjs put the array in. Numbers come from a counter row in Postgres, so several instances
 * never hand out the same one. A message is numbered only once persistence has stored it, and its
 * number is stored before anyone sees it (ServerChanges), so a sequenced message is a stored message
 * with a stored number (the ✓ in the UI). Stamping runs one at a time per document. Numbers that
 * cannot be stored are not shown: the messages are numbered again (new numbers) on the next change
 * to the document, or after a back-off while it stays loaded, or by the sweep on its next load.
 *
 * An instance numbers only the messages its own clients sent (read from the update itself): with
 * several instances, a message relayed through Redis may arrive before its number does, and must not
 * be numbered twice. After a load, a sweep numbers messages a crash left without one; with peers it
 * waits `recoveryDelayMs` so that a number already on its way from another instance lands first.
 */
/**
 * How long a numbering waits after the first message before it starts, so that the messages arriving
 * meanwhile share it. Each numbering is a counter round trip, a stamp stored and sent to every device
 * in the room, and the indexes told: in a room of 50 at 50 messages a second, one numbering per
 * message sent each device a stamp per message. Delivery does not wait for numbering (a message
 * reaches the others while it is stored); only the ✓ comes this much later.
 */
export const NUMBERING_GATHER_MS = 20;

export class Sequencer implements Extension {
  priority = 50;
  extensionName = "sequencer";
  /** Per document: numberings, one at a time. */
  private readonly numberings = new SerialQueues<string>();
  /** Per document: the numbering waiting for its turn, which messages arriving meanwhile join. */
  private readonly waiting = new Map<string, Waiting>();
  /** Per document: messages whose numbers could not be stored yet (null: a whole sweep), and the retry. */
  private readonly owed = new Map<string, Owed>();
  private readonly recoveryDelayMs: number;
  private readonly retryDelayMs: number;
  private readonly gatherMs: number;
  private readonly changes: ServerChanges;

  private readonly db: Database;
  private readonly log: Logger;

  private readonly metrics: Metrics | undefined;
  /** Who hears of messages once they have their numbers (see onNumbered). */
  private readonly listeners: NumberedListener[] = [];
  /** Resolves once the client updates applied to a document so far are stored (persistence). */
  private readonly stored: (documentName: string) => Promise<void>;

  constructor(
    db: Database,
    changes: ServerChanges,
    log: Logger,
    options: {
      recoveryDelayMs?: number;
      /** First wait before numbering again after a failure; doubles up to 30 s. */
      retryDelayMs?: number;
      /** See NUMBERING_GATHER_MS. */
      gatherMs?: number;
      metrics?: Metrics;
      /** Persistence.stored: a message is numbered only once it is in Postgres. */
      stored?: (documentName: string) => Promise<void>;
    } = {},
  ) {
    this.db = db;
    this.changes = changes;
    this.log = log;
    this.recoveryDelayMs = options.recoveryDelayMs ?? 0;
    this.retryDelayMs = options.retryDelayMs ?? 1_000;
    this.gatherMs = options.gatherMs ?? NUMBERING_GATHER_MS;
    this.metrics = options.metrics;
    this.stored = options.stored ?? (() => Promise.resolve());
  }

  async onChange({ documentName, document, transactionOrigin, update }: onChangePayload): Promise<void> {
    if (!isClientChange(transactionOrigin)) return;
    const sent: Set<string> | null = messageIdsIn(update);
    // Any change is a chance to number what could not be numbered before.
    const owed = this.takeOwed(documentName, document);
    if (owed) {
      const ids = owed.ids === null ? null : new Set([...sent, ...owed.ids]);
      return this.schedule(documentName, document, ids, owed.attempts);
    }
    if (sent.size > 0) await this.schedule(documentName, document, sent);
  }

  async afterLoadDocument({ documentName, document }: afterLoadDocumentPayload): Promise<void> {
    if (this.recoveryDelayMs === 0) return this.schedule(documentName, document, null);
    setTimeout(() => void this.schedule(documentName, document, null), this.recoveryDelayMs).unref();
  }

  /**
   * `listener` hears of every batch of messages this instance numbers, once the numbers are stored
   * (mention invites, the user index). Listeners run in the order they subscribed, each awaited before
   * the next, because a later one may count on an earlier one's work (the index counts the people a
   * mention just brought in); a failure is logged and skips the rest for that batch. The next
   * numbering of the document waits for them.
   */
  onNumbered(listener: NumberedListener): void {
    this.listeners.push(listener);
  }

  /** Resolves when every message seen so far in the document has its number. */
  async settled(documentName: string): Promise<void> {
    await this.numberings.idle(documentName);
  }

  /**
   * Numbers the unsequenced messages among `only` (all of them when null), in array order.
   * `attempts`: how many times in a row this has failed already (for the back-off).
   */
  private schedule(
    documentName: string,
    document: Y.Doc,
    only: ReadonlySet<string> | null,
    attempts = 0,
  ): Promise<void> {
    const ref = parseDocName(documentName);
    if (ref?.kind !== "segment") return Promise.resolve();
    // Messages that arrive while a numbering runs join the one waiting for its turn: under load each
    // numbering (a counter round trip, the stamps stored, the indexes told) covers every message
    // that came meanwhile, instead of a queue of one-message numberings falling ever further behind.
    const waiting = this.waiting.get(documentName);
    if (waiting && waiting.document === document) {
      if (waiting.ids !== null) {
        if (only === null) waiting.ids = null;
        else for (const id of only) waiting.ids.add(id);
      }
      waiting.attempts = Math.max(waiting.attempts, attempts);
      return waiting.done;
    }
    const turn: Waiting = {
      document,
      ids: only === null ? null : new Set(only),
      attempts,
      done: Promise.resolve(),
    };
    this.waiting.set(documentName, turn);
    turn.done = this.numberings.run(documentName, async () => {
      try {
        // Messages arriving in the next moment join this numbering (NUMBERING_GATHER_MS).
        if (this.gatherMs > 0) await new Promise((resolve) => setTimeout(resolve, this.gatherMs));
        // Its turn has come: what arrives from now on waits for the next one.
        if (this.waiting.get(documentName) === turn) this.waiting.delete(documentName);
        await this.stamp(ref.roomId, documentName, document, turn.ids);
      } catch (error) {
        this.log.error(
          { doc: documentName, error: String(error) },
          "cannot sequence messages; numbering them again on the next change or shortly",
        );
        this.owe(documentName, document, turn.ids, turn.attempts + 1);
      }
    });
    return turn.done;
  }

  /** Remembers what could not be numbered and tries again after a back-off, while the document is loaded. */
  private owe(documentName: string, document: Y.Doc, only: ReadonlySet<string> | null, attempts: number) {
    if (document.isDestroyed) return; // the sweep after the next load numbers what is left
    const previous = this.takeOwed(documentName, document);
    const ids = only === null || previous?.ids === null ? null : new Set([...(previous?.ids ?? []), ...only]);
    const owed: Owed = { document, ids, attempts: Math.max(attempts, previous?.attempts ?? 0), timer: null };
    owed.timer = setTimeout(
      () => {
        const due = this.takeOwed(documentName, document);
        if (due) void this.schedule(documentName, document, due.ids, due.attempts);
      },
      backoffMs(this.retryDelayMs, owed.attempts, 30_000),
    );
    owed.timer.unref();
    this.owed.set(documentName, owed);
  }

  /** What is owed for this document, if anything, handed over to the caller to number. */
  private takeOwed(documentName: string, document: Y.Doc): Owed | undefined {
    const owed = this.owed.get(documentName);
    if (!owed) return undefined;
    if (owed.timer) clearTimeout(owed.timer);
    this.owed.delete(documentName);
    // Owed by a copy of the document that was unloaded since: its next load's sweep numbers it.
    if (owed.document !== document || document.isDestroyed) return undefined;
    return owed;
  }

  private async stamp(
    roomId: string,
    documentName: string,
    document: Y.Doc,
    only: ReadonlySet<string> | null,
  ): Promise<void> {
    if (document.isDestroyed) return;
    const pending = unsequencedMessages(document).filter((m) => only === null || only.has(m.id));
    if (pending.length === 0) return;
    // Clients receive a message while it is being stored (persistence): its number waits for it.
    await this.stored(documentName);
    const first = await allocateSequence(this.db, roomId, pending.length);
    const stamps = new Map(pending.map((message, index) => [message.id, first + index]));
    // Stored, then applied and sent; if it cannot be stored, nobody sees these numbers.
    await this.changes.write(documentName, document, (doc) => stampSequence(doc, stamps));
    this.metrics?.messagesSequenced(stamps.size);
    if (this.listeners.length === 0) return;
    const numbered = viewsOf(document, pending);
    try {
      for (const listener of this.listeners) await listener(roomId, documentName, document, numbered);
    } catch (error) {
      this.log.error({ room: roomId, error: String(error) }, "cannot update indexes after sequencing");
    }
  }
}

export type NumberedListener = (
  roomId: string,
  documentName: string,
  document: Y.Doc,
  messages: MessageView[],
) => Promise<void>;

interface Waiting {
  document: Y.Doc;
  /** Which messages to number (null: every unnumbered one). */
  ids: Set<string> | null;
  attempts: number;
  done: Promise<void>;
}

interface Owed {
  document: Y.Doc;
  ids: Set<string> | null;
  attempts: number;
  timer: NodeJS.Timeout | null;
}

/** Ids of the message records an update carries (whatever else it holds). */
function messageIdsIn(update: Uint8Array): Set<string> {
  const ids = new Set<string>();
  for (const struct of Y.decodeUpdate(update).structs) {
    if (!(struct instanceof Y.Item) || !(struct.content instanceof Y.ContentAny)) continue;
    for (const value of struct.content.arr) if (isMessageRecord(value)) ids.add(value.id);
  }
  return ids;
}
