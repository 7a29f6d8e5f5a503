import type { Readable } from "node:stream";

/**
 * Where the bytes of attached files live (docs/architecture.md, "Who writes which document"): a folder under DATA_DIR
 * (diskStore.ts) or S3-compatible object storage (s3Store.ts). Keys are slash-separated paths the
 * server makes itself (`blobs/ab/<sha256>`, `thumbs/…`, `tmp/…`), never a person's file name.
 *
 * A write goes to a temporary object first and is moved to its key only once it is complete, so a
 * reader never sees half a file and an upload that fails or is abandoned leaves nothing behind.
 */
export interface FileStore {
  /** "disk" or "s3", for logs and /readyz. */
  readonly kind: string;
  /** Makes the folder or bucket when missing; throws StorageUnavailable when it cannot. */
  prepare(): Promise<void>;
  /**
   * Streams `source` into a new temporary object and resolves with its key once every byte is
   * stored. When the source fails (the client went away, the size limit) or the store refuses, the
   * promise rejects and nothing of it is left.
   */
  writeTemp(source: Readable): Promise<string>;
  /** Moves a complete temporary object to `key`, replacing what is there (the same bytes: keys are content addresses). */
  promote(tempKey: string, key: string): Promise<void>;
  /** Stores a small object whole (a thumbnail), through a temporary one. */
  put(key: string, bytes: Buffer): Promise<void>;
  /** The bytes of `key` (from `range.start` to `range.end`, inclusive); FileMissing when absent. */
  read(key: string, range?: ByteRange): Promise<Readable>;
  /** Whether `key` holds an object. */
  exists(key: string): Promise<boolean>;
  /** Removes `key`; an absent key is fine. */
  delete(key: string): Promise<void>;
  /** Removes temporary objects older than `olderThanMs` (a crash mid-upload leaves one); returns how many. */
  sweepTemp(olderThanMs: number): Promise<number>;
  /** Lets go of connections (the S3 client's sockets). */
  close(): void;
}

export interface ByteRange {
  start: number;
  end: number;
}

/** The object is not in the store. */
export class FileMissing extends Error {
  override name = "FileMissing";
}

/** The store refused a write for want of space (a full disk, a quota, a bucket over its limit). */
export class StorageFull extends Error {
  override name = "StorageFull";
}

/** The store could not be reached or refused the operation (permissions, a read-only disk, the network). */
export class StorageUnavailable extends Error {
  override name = "StorageUnavailable";
}

/** Where a file's bytes, its thumbnail and temporary objects are kept. */
export const blobKey = (sha256: string): string => `blobs/${sha256.slice(0, 2)}/${sha256}`;
export const thumbnailKey = (sha256: string): string => `thumbs/${sha256.slice(0, 2)}/${sha256}.webp`;
export const TEMP_PREFIX = "tmp/";
/** An avatar (files/avatars.ts): its own id, not a content address, so replacing one never touches another's. */
export const avatarKey = (id: string): string => `avatars/${id}.webp`;
