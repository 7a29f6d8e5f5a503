import type { Readable } from "node:stream";
import { type Attachment, fileNameProblem, isAttachmentId, isRasterImageType } from "@chat/model";
import type { Database } from "../db/database.ts";
import type { Logger } from "../log.ts";
import { Refused } from "../refused.ts";
import { getRoom, isMember } from "../rooms/rooms.ts";
import {
  blobInUse,
  claimUploads,
  downloadable,
  dropBlobRow,
  findUploads,
  hideAbandoned,
  hideFilesOf,
  insertUpload,
  lockBlob,
  type UploadedFile,
} from "./attachmentRows.ts";
import { readAvatar, removeAvatar, uploadAvatar } from "./avatars.ts";
import { detectType, imageDimensions, makeThumbnail } from "./detect.ts";
import {
  type ByteRange,
  blobKey,
  FileMissing,
  type FileStore,
  StorageUnavailable,
  thumbnailKey,
} from "./fileStore.ts";
import { receive, UploadTooLarge } from "./receive.ts";

export type { UploadedFile } from "./attachmentRows.ts";

/** An upload no message names is dropped after this long (docs/api.md). */
export const UNCLAIMED_UPLOAD_MS = 7 * 24 * 60 * 60 * 1000;
/** Temporary objects older than this were left by a crash mid-upload (no upload takes a day). */
const STALE_TEMP_MS = 24 * 60 * 60 * 1000;
/** Uploads whose metadata this instance remembers for the write guard (the rest are read from Postgres). */
const REMEMBERED_UPLOADS = 10_000;

export interface UploadRequest {
  roomId: string;
  attachmentId: string;
  /** As the client sent it (the X-File-Name header, decoded). */
  name: string;
  uploader: string;
  body: Readable;
  /** Content-Length, when the client said it. */
  declaredBytes: number | null;
}

export interface UploadResult {
  attachment: Attachment;
  /** False when this was a retry of an upload already stored (200 rather than 201). */
  created: boolean;
}

/**
 * Attached files (docs/api.md "Files"): uploads streamed into the file store by content address,
 * their rows in Postgres, who may read them, the message that names each, and the sweep that removes
 * bytes nothing refers to any more.
 */
export class Files {
  readonly maxUploadBytes: number;
  private readonly db: Database;
  private readonly store: FileStore;
  private readonly log: Logger;
  /** Recent uploads by id (immutable facts; message and hidden may be stale: Postgres decides). */
  private readonly remembered = new Map<string, UploadedFile>();
  /** Thumbnails being made, by blob: one at a time per blob. */
  private readonly thumbnailsMaking = new Map<string, Promise<void>>();
  /** One thumbnail at a time on this instance: sharp is CPU work that must not crowd out delivery. */
  private thumbnailQueue: Promise<unknown> = Promise.resolve();
  private sweeper: NodeJS.Timeout | null = null;
  /** The folder or bucket made (FileStore.prepare): once, tried again after a failure. */
  private prepared: Promise<void> | null = null;

  constructor(db: Database, store: FileStore, log: Logger, options: { maxUploadBytes: number }) {
    this.db = db;
    this.store = store;
    this.log = log;
    this.maxUploadBytes = options.maxUploadBytes;
  }

  /**
   * Stores one upload: checks, streams the bytes into a temporary object, detects what they are, and
   * moves them to their content address (or drops them when those bytes are stored already).
   */
  async upload(request: UploadRequest): Promise<UploadResult> {
    const { roomId, attachmentId, name, uploader } = request;
    if (!isAttachmentId(attachmentId))
      throw new Refused("invalid", "A file id is 16 letters and digits (newAttachmentId).");
    const nameProblem = fileNameProblem(name);
    if (nameProblem) throw new Refused("invalid", nameProblem);
    const room = await getRoom(this.db, roomId);
    if (!room || !(await isMember(this.db, roomId, uploader)))
      throw new Refused("not-found", "There is no such room, or you are not in it.");
    if (request.declaredBytes !== null && request.declaredBytes > this.maxUploadBytes)
      throw new UploadTooLarge(this.tooLarge());
    if (request.declaredBytes === 0) throw new Refused("invalid", "The file is empty.");
    const [earlier] = await findUploads(this.db, [attachmentId]);
    await this.ready();
    // Someone else's id, one used in another room, or one whose file is gone (its message deleted, or
    // it expired unnamed: its bytes may be removed) is refused before a byte is read.
    if (earlier && (earlier.uploader !== uploader || earlier.roomId !== roomId || earlier.hidden))
      throw idTaken();

    let received: Awaited<ReturnType<typeof receive>>;
    try {
      received = await receive(this.store, request.body, this.maxUploadBytes);
    } catch (error) {
      if (error instanceof UploadTooLarge) throw new UploadTooLarge(this.tooLarge());
      throw error;
    }
    const { temp, size, sha256, head } = received;
    let promoted = false;
    try {
      if (size === 0) throw new Refused("invalid", "The file is empty.");
      if (earlier) {
        // A retry: the same bytes under the same name are the same upload; anything else is a clash.
        if (earlier.sha256 !== sha256 || earlier.attachment.name !== name) throw idTaken();
        return { attachment: earlier.attachment, created: false };
      }
      const type = await detectType(head);
      const attachment: Attachment = { id: attachmentId, name, size, type };
      if (isRasterImageType(type)) {
        const dimensions = (await imageDimensions(head)) ?? (await this.dimensionsOfWhole(temp, size));
        if (dimensions) Object.assign(attachment, dimensions);
      }
      const upload = { attachment, sha256, roomId, uploader };
      let inserted = false;
      await this.db.transaction(async (tx) => {
        // The blob's lock is held while its bytes move into place, so a sweep never removes them
        // under this upload (attachmentRows.ts lockBlob).
        if (await lockBlob(tx, sha256, size)) {
          await this.store.promote(temp, blobKey(sha256));
          promoted = true;
        }
        inserted = await insertUpload(tx, upload);
        // The same id inserted meanwhile (a retry racing the first try): the first one stays.
        if (!inserted) throw new IdRace();
      });
      this.remember({ ...upload, messageId: null, hidden: false });
      if (attachment.width !== undefined) void this.thumbnail(sha256).catch(() => {});
      return { attachment, created: true };
    } catch (error) {
      if (error instanceof IdRace) {
        const [winner] = await findUploads(this.db, [attachmentId]);
        if (winner && winner.uploader === uploader && winner.roomId === roomId && winner.sha256 === sha256)
          return { attachment: winner.attachment, created: false };
        throw idTaken();
      }
      throw error;
    } finally {
      if (!promoted) await this.store.delete(temp).catch(() => {});
    }
  }

  /** Makes the person's new avatar from the image in `body` (avatars.ts); resolves with its id. */
  async uploadAvatar(userId: string, body: Readable): Promise<string> {
    await this.ready();
    return uploadAvatar(this.db, this.store, userId, body, this.maxUploadBytes);
  }

  /** Back to initials for this person. */
  async removeAvatar(userId: string): Promise<void> {
    await this.ready();
    await removeAvatar(this.db, this.store, userId);
  }

  /** An avatar's bytes (a small WebP), or null when nobody shows that avatar. */
  readAvatar(id: string): Promise<Readable | null> {
    return readAvatar(this.db, this.store, id);
  }

  /** Makes the folder or bucket the first time it is needed (the store may come up after the server). */
  private ready(): Promise<void> {
    this.prepared ??= this.store.prepare().catch((error) => {
      this.prepared = null;
      throw error;
    });
    return this.prepared;
  }

  private tooLarge(): string {
    const mb = this.maxUploadBytes / (1024 * 1024);
    return `The file is larger than this server takes (${Number.isInteger(mb) ? mb : mb.toFixed(2)} MB).`;
  }

  /** A JPEG whose header lies past HEAD_BYTES (a large EXIF block): sharp reads the stored file. */
  private async dimensionsOfWhole(temp: string, size: number) {
    if (size <= 0) return null;
    return imageDimensions(await readAll(await this.store.read(temp)));
  }

  /** The upload `userId` may download, or null (404 for a missing file and a forbidden one alike). */
  async findDownloadable(attachmentId: string, userId: string | null): Promise<UploadedFile | null> {
    if (userId === null || !isAttachmentId(attachmentId)) return null;
    return downloadable(this.db, attachmentId, userId);
  }

  /** The file's bytes, whole or a range. */
  read(file: UploadedFile, range?: ByteRange): Promise<Readable> {
    return this.store.read(blobKey(file.sha256), range);
  }

  /** The thumbnail of a raster image (made now if no instance has made it yet); null for other files. */
  async readThumbnail(file: UploadedFile): Promise<Readable | null> {
    if (!isRasterImageType(file.attachment.type) || file.attachment.width === undefined) return null;
    try {
      return await this.store.read(thumbnailKey(file.sha256));
    } catch (error) {
      if (!(error instanceof FileMissing)) throw error;
    }
    try {
      await this.thumbnail(file.sha256);
    } catch (error) {
      // An image whose header reads but whose pixels do not (damaged past its header): no thumbnail.
      if (error instanceof StorageUnavailable) throw error;
      return null;
    }
    return this.store.read(thumbnailKey(file.sha256));
  }

  /** Makes and stores the thumbnail of a blob, once per blob at a time and one blob at a time. */
  private thumbnail(sha256: string): Promise<void> {
    const making = this.thumbnailsMaking.get(sha256);
    if (making) return making;
    const job = this.thumbnailQueue.then(async () => {
      if (await this.store.exists(thumbnailKey(sha256))) return;
      const image = await readAll(await this.store.read(blobKey(sha256)));
      await this.store.put(thumbnailKey(sha256), await makeThumbnail(image));
    });
    const settled = job.finally(() => this.thumbnailsMaking.delete(sha256));
    this.thumbnailQueue = settled.catch(() => {});
    this.thumbnailsMaking.set(sha256, settled);
    settled.catch((error) => this.log.warn({ sha256, error: String(error) }, "cannot make a thumbnail"));
    return settled;
  }

  /**
   * The write guard's view of uploads (writes/rules.ts): those of `ids` that exist, from memory when
   * this instance took them, else from Postgres (another instance may have).
   */
  async lookup(ids: readonly string[]): Promise<Map<string, UploadedFile>> {
    const found = new Map<string, UploadedFile>();
    const missing: string[] = [];
    for (const id of ids) {
      const known = this.remembered.get(id);
      if (known) found.set(id, known);
      else missing.push(id);
    }
    for (const upload of await findUploads(this.db, missing)) {
      found.set(upload.attachment.id, upload);
      this.remember(upload);
    }
    return found;
  }

  /**
   * Ties each of `ids` to the message, atomically in Postgres (two messages racing for one upload:
   * one gets it). Returns whether all of them are now the message's.
   */
  async claim(roomId: string, uploader: string, messageId: string, ids: readonly string[]): Promise<boolean> {
    const claimed = await claimUploads(this.db, roomId, uploader, messageId, ids);
    for (const id of claimed) {
      const known = this.remembered.get(id);
      if (known) this.remembered.set(id, { ...known, messageId });
    }
    return ids.every((id) => claimed.has(id));
  }

  /** The messages were deleted: their files are hidden from everyone, and bytes nothing else uses go. */
  async messagesDeleted(roomId: string, messageIds: readonly string[]): Promise<void> {
    if (messageIds.length === 0) return;
    const blobs = await hideFilesOf(this.db, roomId, messageIds);
    for (const [id, known] of this.remembered)
      if (known.roomId === roomId && known.messageId !== null && messageIds.includes(known.messageId))
        this.remembered.set(id, { ...known, hidden: true });
    await this.collect(blobs);
  }

  /**
   * Removes the bytes (and thumbnail) of each blob no visible upload refers to, under the blob's lock
   * so that an upload of the same bytes waits and then stores them again.
   */
  async collect(blobs: readonly string[]): Promise<number> {
    let removed = 0;
    for (const sha256 of blobs)
      await this.db.transaction(async (tx) => {
        const [row] = await tx.query("select sha256 from file_blobs where sha256 = $1 for update", [sha256]);
        if (!row || (await blobInUse(tx, sha256))) return;
        await this.store.delete(thumbnailKey(sha256));
        await this.store.delete(blobKey(sha256));
        await dropBlobRow(tx, sha256);
        removed++;
      });
    return removed;
  }

  /** Hides unclaimed and deleted-message uploads, removes unused bytes and stale temporary objects. */
  async sweep(): Promise<void> {
    await this.ready();
    const blobs = await hideAbandoned(this.db, UNCLAIMED_UPLOAD_MS);
    const removed = await this.collect(blobs);
    const temps = await this.store.sweepTemp(STALE_TEMP_MS);
    if (removed > 0 || temps > 0) this.log.info({ removed, temps }, "swept unused files");
  }

  /** Sweeps now and then every `intervalMs` (a failed sweep is logged and tried again next time). */
  startSweeping(intervalMs: number): void {
    const run = () =>
      void this.sweep().catch((error) => this.log.warn({ error: String(error) }, "file sweep failed"));
    run();
    this.sweeper = setInterval(run, intervalMs);
    this.sweeper.unref();
  }

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    await this.thumbnailQueue;
    this.store.close();
  }

  private remember(upload: UploadedFile): void {
    this.remembered.delete(upload.attachment.id);
    this.remembered.set(upload.attachment.id, upload);
    if (this.remembered.size > REMEMBERED_UPLOADS) {
      const oldest = this.remembered.keys().next().value;
      if (oldest !== undefined) this.remembered.delete(oldest);
    }
  }
}

class IdRace extends Error {}

const idTaken = () =>
  new Refused(
    "conflict",
    "That file id is already taken: choose a new one (newAttachmentId) and upload again.",
  );

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
