import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { type Readable, Transform } from "node:stream";
import { HEAD_BYTES } from "./detect.ts";
import type { FileStore } from "./fileStore.ts";

/** The upload is bigger than the server takes (MAX_UPLOAD_MB). */
export class UploadTooLarge extends Error {
  override name = "UploadTooLarge";
}

/** The client stopped sending before the end of the file (closed the tab, lost the network). */
export class UploadAborted extends Error {
  override name = "UploadAborted";
}

export interface Received {
  /** The temporary object holding the bytes (FileStore.writeTemp). */
  temp: string;
  size: number;
  sha256: string;
  /** The first HEAD_BYTES bytes (all of a smaller file), for detecting what it is. */
  head: Buffer;
}

/**
 * Streams an upload's body into a temporary object of the store, counting, hashing and keeping its
 * first bytes on the way: never the whole file in memory. Rejects with UploadTooLarge past `maxBytes`
 * (the rest of the body is left unread; the answer closes the connection), UploadAborted when the
 * client goes away mid-file, or the store's own error; in each case nothing is left in the store.
 */
export async function receive(store: FileStore, body: Readable, maxBytes: number): Promise<Received> {
  const hash = createHash("sha256");
  const headChunks: Buffer[] = [];
  let headBytes = 0;
  let size = 0;
  const inspector = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > maxBytes) return done(new UploadTooLarge(`over ${maxBytes} bytes`));
      hash.update(chunk);
      if (headBytes < HEAD_BYTES) {
        const part = chunk.subarray(0, HEAD_BYTES - headBytes);
        headChunks.push(part);
        headBytes += part.length;
      }
      done(null, chunk);
    },
  });
  // pipe, not pipeline: a failure of the inspector (too large) must not destroy the request, whose
  // socket still carries the answer. The body's own failures become UploadAborted, which carries no
  // error code, so the store does not take them for its own.
  body.pipe(inspector);
  const aborted = () => inspector.destroy(new UploadAborted("the client stopped sending"));
  body.once("error", aborted);
  body.once("close", () => {
    if (!finished(body)) aborted();
  });
  const temp = await store.writeTemp(inspector);
  return { temp, size, sha256: hash.digest("hex"), head: Buffer.concat(headChunks, headBytes) };
}

/** Whether the whole body arrived (an HTTP request says so itself; another stream by ending). */
function finished(body: Readable): boolean {
  const complete = (body as Partial<IncomingMessage>).complete;
  return typeof complete === "boolean" ? complete : body.readableEnded;
}
