import { DiskStore } from "./diskStore.ts";
import type { FileStore } from "./fileStore.ts";
import { type S3Options, S3Store } from "./s3Store.ts";

/** Where attached files are kept (config.ts reads it from DATA_DIR and S3_*). */
export type FileStoreConfig = { kind: "disk"; dir: string } | ({ kind: "s3" } & S3Options);

export function openFileStore(config: FileStoreConfig): FileStore {
  if (config.kind === "disk") return new DiskStore(config.dir);
  const { kind: _kind, ...options } = config;
  return new S3Store(options);
}
