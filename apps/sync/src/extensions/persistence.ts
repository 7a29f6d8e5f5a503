import type {
  beforeSyncPayload,
  Extension,
  onChangePayload,
  onLoadDocumentPayload,
  onStoreDocumentPayload,
} from "@hocuspocus/server";
import { messageYjsSyncStep2, messageYjsUpdate } from "y-protocols/sync";
import * as Y from "yjs";
import { askClientToRetry, isClientChange, Refusal } from "../context.ts";
import type { Database } from "../db/database.ts";
import { compactDocument, readDocumentParts } from "../docs/documentStore.ts";
import { isStoredChange } from "../docs/serverChanges.ts";
import { applyStoredParts } from "../docs/storedParts.ts";
import { UnstoredUpdates } from "../docs/unstoredUpdates.ts";
import type { UpdateLog } from "../docs/updateLog.ts";
import { SerialQueues } from "../lib/serialQueues.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import { inspectOnce } from "../writes/inspectUpdate.ts";

/** Rows this instance appends to a document's log before a store folds them into its snapshot. */
export const COMPACT_AFTER_ROWS = 100;

/**
 * Durable storage. Hocuspocus acknowledges an update (SyncStatus) once it is applied in memory and
 * stores debounced snapshots seconds later; so every update a client sends is appended to Postgres
 * in `beforeSync`, which Hocuspocus awaits before applying and acknowledging it. The update is
 * applied (and so sent to everyone else in the document) as soon as the write guard has accepted
 * it, while the append runs: the sender alone waits for Postgres, the others do not (see
 * beforeSync). The server's own changes are stored before they are applied
 * (docs/serverChanges.ts, the same update log), so they are skipped here; anything else changed
 * locally is appended as it happens, as a safety net. `onStoreDocument` (debounced) folds the log
 * into a snapshot once it has grown (see there).
 *
 * A document that cannot be read is refused, never served empty: an empty document would later be
 * stored over the real one (Hocuspocus #382).
 */
export class Persistence implements Extension {
  // After the write guard (200): only accepted updates are stored.
  priority = 100;
  extensionName = "persistence";

  /** Per document: the server's own changes, appended one after another. */
  private readonly localChanges = new SerialQueues<string>();

  private readonly db: Database;
  /** Appends with group commit: one statement for every update accepted while the last was written. */
  private readonly updates: UpdateLog;
  private readonly log: Logger;
  private readonly metrics: Metrics | undefined;
  /** Client updates applied before they were stored, until they are. */
  private readonly unstored: UnstoredUpdates;
  /** Resolves once the server's work owed to a document's messages so far is done (its numbering). */
  private readonly settled: (documentName: string) => Promise<void>;

  constructor(
    db: Database,
    updates: UpdateLog,
    log: Logger,
    metrics?: Metrics,
    options: { settled?: (documentName: string) => Promise<void> } = {},
  ) {
    this.db = db;
    this.settled = options.settled ?? (() => Promise.resolve());
    this.updates = updates;
    this.log = log;
    this.metrics = metrics;
    this.unstored = new UnstoredUpdates(updates, {
      onRetryFailed: (name, error) =>
        log.error({ doc: name, error: String(error) }, "still cannot store a client update; trying again"),
    });
  }

  async onLoadDocument({ documentName, document, context }: onLoadDocumentPayload): Promise<void> {
    let parts: Awaited<ReturnType<typeof readDocumentParts>>;
    try {
      parts = await readDocumentParts(this.db, documentName);
    } catch (error) {
      this.log.error({ doc: documentName, error: String(error) }, "cannot load document: refusing it");
      askClientToRetry(context, "database unavailable");
      throw new Refusal("unavailable");
    }
    // Applied one by one in one transaction, not through Y.mergeUpdates (see foldUpdates).
    const damage = applyStoredParts(document, parts);
    if (damage.length === 0) return;
    // Served from what could be read; the damaged parts are set aside and the log folded into a
    // sound snapshot at once, so the next load does not meet them again.
    this.metrics?.damagedParts(damage.length);
    for (const { source, problem, salvaged } of damage)
      this.log.error(
        { doc: documentName, source, problem, salvaged },
        "a stored part of the document could not be applied as it was: serving the rest",
      );
    try {
      await compactDocument(this.db, documentName, Y.encodeStateAsUpdate(document));
      this.updates.compacted(documentName);
    } catch (error) {
      this.log.error({ doc: documentName, error: String(error) }, "cannot set damaged parts aside yet");
    }
  }

  /**
   * Appends an accepted client update, applies it at once (everyone else in the document receives
   * it while it is written) and returns once it is stored: Hocuspocus then applies it again, which
   * changes nothing, and only then tells the sender it is synced. So "synced" means stored, and
   * delivery does not wait for a database round trip (it did: a third of the delivery latency under
   * load was the append). An update that cannot be stored stays in the live document and is
   * appended again until it is (UnstoredUpdates); meanwhile no client of the document hears "synced"
   * (a sender coming back sends what the document holds already, a no-op that is still held here).
   */
  async beforeSync({
    documentName,
    document,
    type,
    payload,
    context,
    connection,
  }: beforeSyncPayload): Promise<void> {
    if (type !== messageYjsSyncStep2 && type !== messageYjsUpdate) return;
    // Hocuspocus applies nothing from a read-only connection; neither may the early apply below.
    if (connection.readOnly) return;
    if (!inspectOnce(document, payload).noop) {
      const stored = this.metrics?.timeStore();
      const appended = this.unstored.add(documentName, payload);
      appended.then(stored, () => {});
      Y.applyUpdate(document, payload, { source: "connection", connection });
    }
    if (this.unstored.pending(documentName) === 0) return;
    try {
      await this.unstored.flush(documentName);
    } catch (error) {
      this.log.error(
        { doc: documentName, error: String(error) },
        "cannot store update: the client keeps it pending and retries",
      );
      askClientToRetry(context, "database unavailable");
      throw error;
    }
  }

  /** Resolves once every client update applied to the document so far is stored; rejects if one cannot be yet. */
  stored(documentName: string): Promise<void> {
    return this.unstored.flush(documentName);
  }

  async onChange({ documentName, update, transactionOrigin }: onChangePayload): Promise<void> {
    const origin = transactionOrigin as { source?: string } | undefined;
    // Client updates were stored in beforeSync; updates from Redis were stored by the instance that
    // took them; the server's own changes were stored before they were applied.
    if (isClientChange(origin) || origin?.source === "redis" || isStoredChange(origin)) return;
    await this.localChanges.run(documentName, async () => {
      try {
        await this.updates.append(documentName, update);
      } catch (error) {
        this.log.error({ doc: documentName, error: String(error) }, "cannot store server change");
      }
    });
  }

  /**
   * The log is durable already: a snapshot only makes the next load shorter. Folding on every
   * debounced store rewrote a whole document (a 2,000-message segment is hundreds of KB) every few
   * seconds while people chatted: under load, compaction was a fifth of all statements and most of
   * the bytes sent to Postgres. So the log is folded once it has grown, when the document unloads
   * (nobody has it open), and at shutdown.
   */
  async onStoreDocument({ documentName, document }: onStoreDocumentPayload): Promise<void> {
    await this.localChanges.idle(documentName);
    await this.unstored.flush(documentName);
    const unloading = document.getConnectionsCount() === 0;
    if (!unloading && !this.closing && this.updates.rowsSinceCompaction(documentName) < COMPACT_AFTER_ROWS)
      return;
    // A document folded as it unloads (or at shutdown) while its last messages wait for their numbers
    // would get the numbers as a log row after the fold: safe, but the log the fold was for is back.
    // (Waiting lets other changes of the server's own in, so those are waited for again.)
    await this.settled(documentName);
    await this.localChanges.idle(documentName);
    // One compaction at a time (all at once at shutdown): folding a log is tens of milliseconds of
    // work in one piece, and the index documents of a busy room's members reach their 100 rows
    // together; folded all at once they held up every delivery for a tenth of a second.
    const fold = () => compactDocument(this.db, documentName, Y.encodeStateAsUpdate(document));
    if (this.closing) await fold();
    else {
      const turn = this.compactions.then(fold);
      this.compactions = turn.catch(() => {});
      await turn;
    }
    this.updates.compacted(documentName);
  }

  /** Compactions waiting their turn: the last one's promise. */
  private compactions: Promise<unknown> = Promise.resolve();

  /** The server is stopping: every store from now on folds the log (the process is about to go). */
  closing = false;

  /** Resolves once every server change to the document made so far is stored. */
  async flushed(documentName: string): Promise<void> {
    await this.localChanges.idle(documentName);
  }
}
