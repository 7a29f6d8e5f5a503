import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeS3, startFakeS3 } from "../../test/fakeS3.ts";
import { DiskStore } from "./diskStore.ts";
import { FileMissing, type FileStore, StorageUnavailable } from "./fileStore.ts";
import { PART_BYTES, S3Store } from "./s3Store.ts";

/** Both drivers answer the same contract (fileStore.ts); the S3 one against a real S3 server (s3rver). */
let s3: FakeS3;
const folders: string[] = [];
const stores: FileStore[] = [];
beforeAll(async () => {
  s3 = await startFakeS3();
});
afterAll(async () => {
  for (const store of stores) store.close();
  await s3?.close();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

let buckets = 0;
const drivers: Array<[string, () => FileStore]> = [
  [
    "disk",
    () => {
      const folder = mkdtempSync(join(tmpdir(), "chat-files-"));
      folders.push(folder);
      return new DiskStore(join(folder, "files"));
    },
  ],
  ["s3", () => new S3Store(s3.options(`bucket-${process.pid}-${buckets++}`))],
];

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** A stream of `size` bytes made as it is read (never held whole), failing after `failAt` bytes if given. */
function generated(size: number, failAt?: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (failAt !== undefined && sent >= failAt) return this.destroy(new Error("the client went away"));
      if (sent >= size) return this.push(null);
      const chunk = Buffer.alloc(Math.min(256 * 1024, size - sent), sent % 251);
      sent += chunk.length;
      this.push(chunk);
    },
  });
}

describe.each(drivers)("the %s file store", (_kind, make) => {
  const ready = async () => {
    const store = make();
    stores.push(store);
    await store.prepare();
    await store.prepare(); // twice is fine (a second instance starting)
    return store;
  };

  it("keeps a written file at its key, whole or by range, until it is deleted", async () => {
    const store = await ready();
    const temp = await store.writeTemp(Readable.from([Buffer.from("hello "), Buffer.from("world")]));
    expect(temp.startsWith("tmp/")).toBe(true);
    await store.promote(temp, "blobs/ab/abc");
    expect(await store.exists("blobs/ab/abc")).toBe(true);
    expect(await store.exists(temp)).toBe(false);
    expect(await text(await store.read("blobs/ab/abc"))).toBe("hello world");
    expect(await text(await store.read("blobs/ab/abc", { start: 6, end: 10 }))).toBe("world");
    await store.put("thumbs/ab/abc.webp", Buffer.from("small"));
    expect(await text(await store.read("thumbs/ab/abc.webp"))).toBe("small");
    await store.delete("blobs/ab/abc");
    await store.delete("blobs/ab/abc"); // already gone: fine
    expect(await store.exists("blobs/ab/abc")).toBe(false);
    await expect(store.read("blobs/ab/abc")).rejects.toBeInstanceOf(FileMissing);
  });

  it("streams a file larger than one upload part and reads back the same bytes", async () => {
    const store = await ready();
    const size = PART_BYTES * 2 + 12_345;
    const expected = createHash("sha256");
    for await (const chunk of generated(size)) expected.update(chunk as Buffer);
    const temp = await store.writeTemp(generated(size));
    await store.promote(temp, "blobs/bi/big");
    const actual = createHash("sha256");
    let bytes = 0;
    for await (const chunk of await store.read("blobs/bi/big")) {
      actual.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
    expect(bytes).toBe(size);
    expect(actual.digest("hex")).toBe(expected.digest("hex"));
  });

  it("leaves nothing behind when the source fails halfway, in one part or in several", async () => {
    const store = await ready();
    for (const [size, failAt] of [
      [1_000_000, 500_000],
      [PART_BYTES * 3, PART_BYTES + 1_000],
    ] as const) {
      const failure = store.writeTemp(generated(size, failAt));
      await expect(failure).rejects.toThrow(/went away/);
      expect(await store.sweepTemp(-60_000)).toBe(0);
    }
  });

  it("sweeps temporary files a crash left behind, and only old ones", async () => {
    const store = await ready();
    await store.writeTemp(Readable.from([Buffer.from("abandoned")]));
    expect(await store.sweepTemp(60_000)).toBe(0);
    expect(await store.sweepTemp(-60_000)).toBe(1);
    expect(await store.sweepTemp(-60_000)).toBe(0);
  });
});

describe("a file store that refuses writes", () => {
  it("says so as StorageUnavailable, for a folder that cannot be made", async () => {
    const folder = mkdtempSync(join(tmpdir(), "chat-files-"));
    folders.push(folder);
    writeFileSync(join(folder, "a-file"), "not a folder");
    const store = new DiskStore(join(folder, "a-file", "files"));
    await expect(store.prepare()).rejects.toBeInstanceOf(StorageUnavailable);
    await expect(store.writeTemp(Readable.from([Buffer.from("x")]))).rejects.toBeInstanceOf(
      StorageUnavailable,
    );
  });

  it("says so as StorageUnavailable, for a bucket that does not exist", async () => {
    const store = new S3Store(s3.options("never-made"));
    stores.push(store);
    await expect(store.writeTemp(Readable.from([Buffer.from("x")]))).rejects.toBeInstanceOf(
      StorageUnavailable,
    );
    await expect(store.writeTemp(generated(PART_BYTES + 10))).rejects.toBeInstanceOf(StorageUnavailable);
  });
});
