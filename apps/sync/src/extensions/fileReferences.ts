import { findMessage, messageEdits, parseDocName } from "@chat/model";
import type { Extension, onChangePayload } from "@hocuspocus/server";
import * as Y from "yjs";
import { isClientChange } from "../context.ts";
import type { Logger } from "../log.ts";

/** What this extension asks of the files part (files/files.ts). */
export interface DeletedFilesPort {
  messagesDeleted(roomId: string, messageIds: readonly string[]): Promise<void>;
}

/**
 * Deleting a message hides its files from everyone (docs/api.md "Files"): when a client's change to a
 * history segment deletes messages that name files, their uploads are hidden and bytes no other
 * message uses are removed. The instance that received the deletion does it (as the user index does);
 * the files sweep catches a deletion an instance missed, from the deleted flag the index records.
 */
export class FileReferences implements Extension {
  // With the user index (40), after the sequencer: the deletion is applied when this runs.
  priority = 40;
  extensionName = "file-references";

  private readonly files: DeletedFilesPort;
  private readonly log: Logger;

  constructor(files: DeletedFilesPort, log: Logger) {
    this.files = files;
    this.log = log;
  }

  async onChange({ documentName, document, transactionOrigin, update }: onChangePayload): Promise<void> {
    if (!isClientChange(transactionOrigin)) return;
    const ref = parseDocName(documentName);
    if (ref?.kind !== "segment") return;
    const deleted = deletedWithFiles(document, update);
    if (deleted.length === 0) return;
    try {
      await this.files.messagesDeleted(ref.roomId, deleted);
    } catch (error) {
      this.log.error(
        { doc: documentName, error: String(error) },
        "cannot hide the files of deleted messages",
      );
    }
  }
}

/** Messages the update deleted (their edit record is now a deletion) that name files. */
function deletedWithFiles(document: Y.Doc, update: Uint8Array): string[] {
  const edits = messageEdits(document);
  const ids = new Set<string>();
  for (const struct of Y.decodeUpdate(update).structs) {
    if (!(struct instanceof Y.Item)) continue;
    const item = Y.getItem(document.store, struct.id);
    if (item instanceof Y.Item && item.parent === edits && item.parentSub !== null) ids.add(item.parentSub);
  }
  return [...ids].filter(
    (id) => edits.get(id)?.deleted === true && (findMessage(document, id)?.attachments?.length ?? 0) > 0,
  );
}
