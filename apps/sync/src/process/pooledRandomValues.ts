import { randomFillSync, webcrypto } from "node:crypto";

/** Requests up to this size are served from the pool; larger ones go to Node directly. */
const LARGEST_POOLED = 256;
const POOL_BYTES = 16 * 1024;

/**
 * Serves small `crypto.getRandomValues` calls from a buffer that `randomFillSync` refills, the way
 * Node's own `randomUUID` keeps a cache of entropy. Each byte is handed out once, so the values are
 * as random as before.
 *
 * Why: every `new Y.Doc()` draws 32 separate random numbers through lib0 (a uuid of 31 calls and a
 * client id), and Node's WebCrypto `getRandomValues` costs microseconds a call in argument checks
 * alone. Hocuspocus makes a scratch `Y.Doc` for every awareness message it receives, so in a join
 * or reconnect storm this was a fifth of the server's CPU (a `Y.Doc` costs 71 µs unpooled, 13 µs
 * pooled on the benchmark machine; see docs/benchmarks.md).
 *
 * lib0 binds `webcrypto.getRandomValues` when it is first imported, so this must run before yjs or
 * Hocuspocus are: main.ts imports it first.
 */
function poolRandomValues(): void {
  const original = webcrypto.getRandomValues.bind(webcrypto);
  const pool = new Uint8Array(POOL_BYTES);
  let offset = pool.length;
  const pooled = <T extends ArrayBufferView | null>(array: T): T => {
    // Anything unusual (a wrong type, a large request) gets Node's own checks and errors.
    if (
      !(array instanceof Uint8Array || array instanceof Uint32Array || array instanceof Uint16Array) ||
      array.byteLength > LARGEST_POOLED
    )
      return original(array as never) as T;
    const bytes = array.byteLength;
    if (offset + bytes > pool.length) {
      randomFillSync(pool);
      offset = 0;
    }
    new Uint8Array(array.buffer, array.byteOffset, bytes).set(pool.subarray(offset, offset + bytes));
    offset += bytes;
    return array;
  };
  Object.defineProperty(webcrypto, "getRandomValues", { value: pooled, configurable: true, writable: true });
}

poolRandomValues();
