import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import {
  type ByteRange,
  FileMissing,
  type FileStore,
  StorageFull,
  StorageUnavailable,
  TEMP_PREFIX,
} from "./fileStore.ts";

export interface S3Options {
  /** e.g. http://minio:9000; unset: AWS's own endpoint for the region. */
  endpoint: string | undefined;
  bucket: string;
  region: string;
  /** Both or neither; neither: the SDK's usual credential chain (environment, instance role…). */
  accessKeyId: string | undefined;
  secretAccessKey: string | undefined;
}

/**
 * Parts of a multipart upload (S3 wants at least 5 MiB but the last): the most of one upload held in
 * memory at a time. A file smaller than one part is a single PUT.
 */
export const PART_BYTES = 8 * 1024 * 1024;

/** S3 error names that mean the bucket is out of room (MinIO's and AWS's words for it). */
const FULL_NAMES = new Set(["XMinioStorageFull", "QuotaExceeded", "EntityTooLarge", "StorageFull"]);

const isMissing = (error: unknown) => {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === "NoSuchKey" || e?.name === "NotFound" || e?.$metadata?.httpStatusCode === 404;
};

/** A store error in the words the API answers with; the source's own failures (upload.ts) pass through. */
function storeError(error: unknown, action: string): Error {
  const e = error as { name?: string; $metadata?: unknown; code?: string; message?: string };
  if (e?.$metadata === undefined && e?.code === undefined) return error as Error;
  if (e.name && FULL_NAMES.has(e.name))
    return new StorageFull(`The file store is full (${e.name} while ${action}).`);
  return new StorageUnavailable(
    `The file store refused ${action} (${e.name ?? e.code ?? "error"}: ${e.message ?? ""}).`,
  );
}

/**
 * S3-compatible object storage (MinIO, AWS S3, others): several sync instances share one bucket.
 * Path-style addressing (`endpoint/bucket/key`), which MinIO and most others need. Uploads stream in
 * parts of PART_BYTES; checksums only where S3 requires them (older S3-compatible servers do not
 * understand the SDK's newer default ones).
 */
export class S3Store implements FileStore {
  readonly kind = "s3";
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(options: S3Options) {
    this.bucket = options.bucket;
    this.client = new S3Client({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      forcePathStyle: true,
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      ...(options.accessKeyId && options.secretAccessKey
        ? { credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } }
        : {}),
    });
  }

  async prepare(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      if (!isMissing(error)) throw storeError(error, `checking the bucket ${this.bucket}`);
      try {
        await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
      } catch (createError) {
        const name = (createError as { name?: string }).name;
        // Another instance made it meanwhile.
        if (name !== "BucketAlreadyOwnedByYou" && name !== "BucketAlreadyExists")
          throw storeError(createError, `creating the bucket ${this.bucket}`);
      }
    }
  }

  async writeTemp(source: Readable): Promise<string> {
    const key = `${TEMP_PREFIX}${Date.now()}-${randomBytes(8).toString("hex")}`;
    let uploadId: string | undefined;
    const parts: { ETag: string | undefined; PartNumber: number }[] = [];
    try {
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      const sendPart = async () => {
        const body = Buffer.concat(pending, pendingBytes);
        pending = [];
        pendingBytes = 0;
        if (uploadId === undefined) {
          const created = await this.client.send(
            new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key }),
          );
          uploadId = created.UploadId;
        }
        const PartNumber = parts.length + 1;
        const sent = await this.client.send(
          new UploadPartCommand({
            Bucket: this.bucket,
            Key: key,
            UploadId: uploadId,
            PartNumber,
            Body: body,
          }),
        );
        parts.push({ ETag: sent.ETag, PartNumber });
      };
      for await (const chunk of source) {
        pending.push(chunk as Buffer);
        pendingBytes += (chunk as Buffer).length;
        if (pendingBytes >= PART_BYTES) await sendPart();
      }
      if (uploadId === undefined) {
        const body = Buffer.concat(pending, pendingBytes);
        await this.client.send(
          new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentLength: body.length }),
        );
        return key;
      }
      if (pendingBytes > 0) await sendPart();
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
      return key;
    } catch (error) {
      if (uploadId !== undefined)
        await this.client
          .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }))
          .catch(() => {});
      source.destroy();
      throw storeError(error, "writing a file");
    }
  }

  async promote(tempKey: string, key: string): Promise<void> {
    try {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: key,
          CopySource: `${this.bucket}/${tempKey.split("/").map(encodeURIComponent).join("/")}`,
        }),
      );
    } catch (error) {
      throw storeError(error, "moving a file into place");
    }
    await this.delete(tempKey).catch(() => {});
  }

  async put(key: string, bytes: Buffer): Promise<void> {
    // One PUT is atomic in S3: readers see the old object or the new one, never a part.
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: bytes, ContentLength: bytes.length }),
      );
    } catch (error) {
      throw storeError(error, "writing a file");
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    try {
      const answer = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        }),
      );
      const body = answer.Body;
      if (body instanceof Readable) return body;
      if (!body) return Readable.from([]);
      return Readable.fromWeb(
        (body as { transformToWebStream(): ReadableStream }).transformToWebStream() as never,
      );
    } catch (error) {
      if (isMissing(error)) throw new FileMissing(key);
      throw storeError(error, "reading a file");
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw storeError(error, "looking for a file");
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      if (!isMissing(error)) throw storeError(error, "removing a file");
    }
  }

  async sweepTemp(olderThanMs: number): Promise<number> {
    const before = Date.now() - olderThanMs;
    let removed = 0;
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: TEMP_PREFIX, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? [])
        if (object.Key && object.LastModified && object.LastModified.getTime() < before) {
          await this.delete(object.Key);
          removed++;
        }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return removed;
  }

  close(): void {
    this.client.destroy();
  }
}
