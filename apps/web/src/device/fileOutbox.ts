import type { Attachment } from "@chat/model";

/**
 * Messages with files that have not reached their room yet, kept on the device (IndexedDB, one
 * database per person: `chat-outbox:<user id>`) with the files' bytes as Blobs, so that attaching
 * works offline and survives a reload or a closed browser. The server accepts a message's
 * attachments only once they are uploaded, so such a message goes into the room's history document
 * only after every file is stored (sync/fileSender.ts); until then it lives here, and shows as the
 * author's pending message.
 */

export interface OutboxFile {
  /** The attachment id, chosen before uploading so the message can name it offline. */
  id: string;
  name: string;
  size: number;
  /** The browser's guess at the type (File.type), for showing it before upload; the server decides the real one. */
  localType: string;
  blob: Blob;
  /** What the server stored, once uploaded: the message carries it unchanged. */
  stored?: Attachment;
  /** Why the server refused the file, in its words: not tried again until the person says so. */
  problem?: string;
  /** The HTTP status of that refusal (409: the id is taken, so a retry takes a new one). */
  refusedWith?: number;
}

export interface OutboxMessage {
  /** The message id it will have in the room. */
  id: string;
  roomId: string;
  author: string;
  createdAt: number;
  text: string;
  files: OutboxFile[];
  /** A reply: its thread's root (the message is created with createReply), and "Also send to room". */
  threadRoot?: string;
  alsoInRoom?: boolean;
  /**
   * The history segment the message was appended to, once it was: from then on the segment holds it,
   * and this entry only waits for the segment's device copy to have it before going.
   */
  appendedTo?: string;
}

const DB_PREFIX = "chat-outbox:";
const MESSAGES = "messages";

export function outboxDatabaseName(scope: string): string {
  return DB_PREFIX + scope;
}

export interface FileOutbox {
  /** Every waiting message, oldest first. */
  list(): Promise<OutboxMessage[]>;
  /** One waiting message, or undefined when it is not (or no longer) waiting. */
  get(messageId: string): Promise<OutboxMessage | undefined>;
  /** Adds or replaces a message (by id). */
  put(message: OutboxMessage): Promise<void>;
  delete(messageId: string): Promise<void>;
  close(): void;
}

const done = (transaction: IDBTransaction) =>
  new Promise<void>((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error ?? new Error("the outbox write was aborted"));
  });

export async function openFileOutbox(scope: string): Promise<FileOutbox> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(outboxDatabaseName(scope), 1);
    req.onupgradeneeded = () => {
      req.result.createObjectStore(MESSAGES, { keyPath: "id" });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error("the outbox is blocked by another tab"));
  });
  let closed = false;
  // Sign-out in another tab deletes the database: let it.
  db.onversionchange = () => {
    closed = true;
    db.close();
  };
  const usable = () => {
    if (closed) throw new Error("the outbox is closed");
  };
  return {
    async list() {
      usable();
      const transaction = db.transaction(MESSAGES, "readonly");
      const request = transaction.objectStore(MESSAGES).getAll();
      await done(transaction);
      return (request.result as OutboxMessage[]).sort(
        (a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id),
      );
    },
    async get(messageId) {
      usable();
      const transaction = db.transaction(MESSAGES, "readonly");
      const request = transaction.objectStore(MESSAGES).get(messageId);
      await done(transaction);
      return request.result as OutboxMessage | undefined;
    },
    async put(message) {
      usable();
      const transaction = db.transaction(MESSAGES, "readwrite");
      transaction.objectStore(MESSAGES).put(message);
      await done(transaction);
    },
    async delete(messageId) {
      usable();
      const transaction = db.transaction(MESSAGES, "readwrite");
      transaction.objectStore(MESSAGES).delete(messageId);
      await done(transaction);
    },
    close() {
      closed = true;
      db.close();
    },
  };
}

/** Sign-out: the waiting messages and their files leave the device. */
export function deleteFileOutbox(scope: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const req = indexedDB.deleteDatabase(outboxDatabaseName(scope));
    req.onsuccess = () => resolve();
    req.onerror = () => reject(req.error);
    // Another tab still has it open: it closes on `versionchange`, then the deletion completes.
    req.onblocked = () => {};
  });
}
