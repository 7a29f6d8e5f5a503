import { notifyPrefsOf, observeNotifySettings, parseDocName } from "@chat/model";
import type { afterLoadDocumentPayload, Extension } from "@hocuspocus/server";
import type * as Y from "yjs";
import type { Database } from "../db/database.ts";
import { SerialQueues } from "../lib/serialQueues.ts";
import type { Logger } from "../log.ts";
import { writeNotifyPrefs } from "../notify/notifyPrefs.ts";

/**
 * Keeps `notify_prefs` (notify/notifyPrefs.ts) a copy of each person's `notify` map: written whenever
 * the map changes in a document this instance holds (a device's change here, or one relayed from
 * another instance through Redis), and when the document loads, which repairs a row that missed a
 * change (a crash, Postgres away for a moment). Every instance holding the document writes what it
 * holds, so the last write of each is the merged state: an instance that loaded or copied a moment
 * behind another is set right by its own next copy, once the change reaches it. Changes are rare (a
 * person choosing a level), and writing the same again changes nothing. Copies for one person run one
 * at a time and coalesce, each reading the document as it is when it starts.
 */
export class NotifyPrefsMirror implements Extension {
  // After the projection on load (90); it only watches documents, so the order matters little.
  priority = 40;
  extensionName = "notify-prefs";

  private readonly db: Database;
  private readonly log: Logger;
  private readonly queues = new SerialQueues<string>();
  /** People with a copy queued that has not started (it will read their latest state). */
  private readonly queued = new Set<string>();

  constructor(db: Database, log: Logger) {
    this.db = db;
    this.log = log;
  }

  async afterLoadDocument({ documentName, document }: afterLoadDocumentPayload): Promise<void> {
    const ref = parseDocName(documentName);
    if (ref?.kind !== "user") return;
    observeNotifySettings(document, () => void this.copy(ref.userId, document));
    void this.copy(ref.userId, document);
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
