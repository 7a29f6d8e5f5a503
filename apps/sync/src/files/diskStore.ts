import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, rename, rm, stat, unlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  type ByteRange,
  FileMissing,
  type FileStore,
  StorageFull,
  StorageUnavailable,
  TEMP_PREFIX,
} from "./fileStore.ts";

/** Error codes that mean "no room left", as opposed to "not allowed" or "not there". */
const FULL_CODES = new Set(["ENOSPC", "EDQUOT", "EFBIG"]);

const codeOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | null)?.code;

/** A store error in the words the API answers with; anything else (the source failing) passes through. */
function storeError(error: unknown, action: string): Error {
  const code = codeOf(error);
  if (code && FULL_CODES.has(code))
    return new StorageFull(`The file store is full (${code} while ${action}).`);
  if (code) return new StorageUnavailable(`The file store refused ${action} (${code}).`);
  return error as Error;
}

/**
 * Files in a folder (DATA_DIR/files by default): keys are relative paths. Temporary files are written
 * under tmp/ in the same folder, so moving one to its key is a rename on the same file system
 * (atomic: a reader sees the whole file or none).
 */
export class DiskStore implements FileStore {
  readonly kind = "disk";
  private readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  private path(key: string): string {
    return join(this.root, ...key.split("/"));
  }

  async prepare(): Promise<void> {
    try {
      await mkdir(this.path(TEMP_PREFIX), { recursive: true });
    } catch (error) {
      throw storeError(error, `making the folder ${this.root}`);
    }
  }

  async writeTemp(source: Readable): Promise<string> {
    const key = `${TEMP_PREFIX}${Date.now()}-${randomBytes(8).toString("hex")}`;
    const path = this.path(key);
    try {
      await mkdir(dirname(path), { recursive: true });
      await pipeline(source, createWriteStream(path, { flags: "wx" }));
      return key;
    } catch (error) {
      await rm(path, { force: true }).catch(() => {});
      // The source's own failures (the client left, the size limit: upload.ts) carry no error code.
      throw storeError(error, "writing a file");
    }
  }

  async promote(tempKey: string, key: string): Promise<void> {
    const target = this.path(key);
    try {
      await mkdir(dirname(target), { recursive: true });
      await rename(this.path(tempKey), target);
    } catch (error) {
      throw storeError(error, "moving a file into place");
    }
  }

  async put(key: string, bytes: Buffer): Promise<void> {
    const temp = this.path(`${TEMP_PREFIX}${Date.now()}-${randomBytes(8).toString("hex")}`);
    try {
      await mkdir(dirname(temp), { recursive: true });
      await writeFile(temp, bytes, { flag: "wx" });
    } catch (error) {
      await rm(temp, { force: true }).catch(() => {});
      throw storeError(error, "writing a file");
    }
    const target = this.path(key);
    try {
      await mkdir(dirname(target), { recursive: true });
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => {});
      throw storeError(error, "moving a file into place");
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const path = this.path(key);
    // Opened before it is handed out, so a missing file is FileMissing here rather than a stream error later.
    const stream = createReadStream(path, range ? { start: range.start, end: range.end } : {});
    await new Promise<void>((resolve, reject) => {
      stream.once("open", () => resolve());
      stream.once("error", (error) =>
        reject(codeOf(error) === "ENOENT" ? new FileMissing(key) : storeError(error, "reading a file")),
      );
    });
    return stream;
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.path(key))).isFile();
    } catch {
      return false;
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.path(key));
    } catch (error) {
      if (codeOf(error) !== "ENOENT") throw storeError(error, "removing a file");
    }
  }

  async sweepTemp(olderThanMs: number): Promise<number> {
    const folder = this.path(TEMP_PREFIX);
    let names: string[];
    try {
      names = await readdir(folder);
    } catch {
      return 0;
    }
    let removed = 0;
    const before = Date.now() - olderThanMs;
    for (const name of names) {
      const path = join(folder, name);
      const info = await stat(path).catch(() => null);
      if (info && info.mtimeMs < before) {
        await rm(path, { force: true }).catch(() => {});
        removed++;
      }
    }
    return removed;
  }

  close(): void {}
}
