import { notifyPrefsOf, observeNotifySettings, parseDocName } from "@chat/model";
import type { afterLoadDocumentPayload, Extension, onChangePayload } from "@hocuspocus/server";
import type * as Y from "yjs";
import { isClientChange } from "../context.ts";
import type { Database } from "../db/database.ts";
import { SerialQueues } from "../lib/serialQueues.ts";
import type { Logger } from "../log.ts";
import { writeNotifyPrefs } from "../notify/notifyPrefs.ts";

/**
 * Keeps `notify_prefs` (notify/notifyPrefs.ts) a copy of each person's `notify` map: written when
 * one of their devices connected here changes it (like the read positions of room documents: the
 * instance a client is connected to does the work once; other instances receive the change through
 * Redis and leave the row alone), and again whenever the document loads, which repairs a row that
 * missed a change (a crash, Postgres away for a moment). Writes for one person run one at a time and
 * coalesce, each copying the document as it is when it starts.
 */
export class NotifyPrefsMirror implements Extension {
  // After persistence (100): the change is stored before it is copied.
  priority = 40;
  extensionName = "notify-prefs";

  private readonly db: Database;
  private readonly log: Logger;
  private readonly queues = new SerialQueues<string>();
  /** People with a copy queued that has not started (it will read their latest state). */
  private readonly queued = new Set<string>();
  /** Documents whose `notify` map changed in the transaction onChange is about to report. */
  private readonly touched = new WeakSet<Y.Doc>();

  constructor(db: Database, log: Logger) {
    this.db = db;
    this.log = log;
  }

  async afterLoadDocument({ documentName, document }: afterLoadDocumentPayload): Promise<void> {
    const ref = parseDocName(documentName);
    if (ref?.kind !== "user") return;
    // Observers run inside the transaction, before Hocuspocus reports it to onChange with its origin.
    observeNotifySettings(document, () => this.touched.add(document));
    void this.copy(ref.userId, document);
  }

  async onChange({ documentName, document, transactionOrigin }: onChangePayload): Promise<void> {
    if (!this.touched.has(document)) return;
    this.touched.delete(document);
    const ref = parseDocName(documentName);
    if (ref?.kind === "user" && isClientChange(transactionOrigin)) void this.copy(ref.userId, document);
  }

  /** Resolves once every copy of the person's settings asked for so far is written (or failed). */
  settled(userId: string): Promise<void> {
    return this.queues.idle(userId);
  }

  private copy(userId: string, document: Y.Doc): Promise<void> {
    if (this.queued.has(userId)) return this.queues.idle(userId);
    this.queued.add(userId);
    return this.queues.run(userId, async () => {
      this.queued.delete(userId);
      try {
        await writeNotifyPrefs(this.db, userId, notifyPrefsOf(document));
      } catch (error) {
        this.log.error({ user: userId, error: String(error) }, "cannot copy notification settings");
      }
    });
  }
}
