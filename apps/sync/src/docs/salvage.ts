import { MAX_CLOCK } from "@chat/model";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";

/**
 * Rewrites a stored Yjs update (V1) without the client ids whose clocks run past MAX_CLOCK: what an
 * older server let a crafted update store (a garbage-collected range of 2^56 clocks). Yjs itself
 * cannot read such an update at all (lib0 refuses integers past 2^53 mid-number), so one poisoned
 * client would take every other client's messages in the same snapshot down with it. Here every
 * number is read leniently, each client's block of structs is walked to find where it ends and how
 * far its clock runs, and the blocks that stay in bounds are copied byte for byte.
 *
 * Returns null when the update cannot be walked at all (truncated, or not an update): nothing in it
 * can be told apart from garbage.
 */
export function withoutRunawayClients(update: Uint8Array): { update: Uint8Array; dropped: number[] } | null {
  try {
    return rewrite(update);
  } catch {
    return null;
  }
}

const BIT8 = 0x80;
const BIT7 = 0x40;
const BIT6 = 0x20;
const BITS5 = 0x1f;

function rewrite(update: Uint8Array): { update: Uint8Array; dropped: number[] } {
  const decoder = decoding.createDecoder(update);
  const kept: Uint8Array[] = [];
  const dropped: number[] = [];
  const clients = readLenient(decoder);
  for (let i = 0; i < clients; i++) {
    const start = decoder.pos;
    const structs = readLenient(decoder);
    const client = readLenient(decoder);
    let clock = readLenient(decoder);
    for (let j = 0; j < structs; j++) clock += structLength(decoder);
    if (clock <= MAX_CLOCK && client <= Number.MAX_SAFE_INTEGER)
      kept.push(update.subarray(start, decoder.pos));
    else dropped.push(client);
  }
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, kept.length);
  for (const block of kept) encoding.writeUint8Array(encoder, block);
  // The delete set: ranges per client, kept where the client's clock stays in bounds.
  const deleteSet: Array<{ client: number; ranges: Array<[number, number]> }> = [];
  const dsClients = readLenient(decoder);
  for (let i = 0; i < dsClients; i++) {
    const client = readLenient(decoder);
    const count = readLenient(decoder);
    const ranges: Array<[number, number]> = [];
    for (let j = 0; j < count; j++) {
      const clock = readLenient(decoder);
      const length = readLenient(decoder);
      if (clock + length <= MAX_CLOCK) ranges.push([clock, length]);
    }
    if (ranges.length > 0 && !dropped.includes(client)) deleteSet.push({ client, ranges });
  }
  encoding.writeVarUint(encoder, deleteSet.length);
  for (const { client, ranges } of deleteSet) {
    encoding.writeVarUint(encoder, client);
    encoding.writeVarUint(encoder, ranges.length);
    for (const [clock, length] of ranges) {
      encoding.writeVarUint(encoder, clock);
      encoding.writeVarUint(encoder, length);
    }
  }
  return { update: encoding.toUint8Array(encoder), dropped };
}

/**
 * A variable-length unsigned integer read without lib0's range check: up to ten bytes, the value
 * possibly rounded past 2^53 (which is all the caller needs to know to drop it).
 */
function readLenient(decoder: decoding.Decoder): number {
  let value = 0;
  let multiplier = 1;
  for (let i = 0; i < 10; i++) {
    const byte = decoding.readUint8(decoder);
    value += (byte & 0x7f) * multiplier;
    if (byte < BIT8) return value;
    multiplier *= 128;
  }
  throw new Error("a number longer than ten bytes");
}

/** Reads one struct (as Yjs's V1 reader does) and returns how many clocks it takes. */
function structLength(decoder: decoding.Decoder): number {
  const info = decoding.readUint8(decoder);
  const kind = info & BITS5;
  if (kind === 0 || kind === 10) return readLenient(decoder); // GC or Skip: a length alone
  if (info & BIT8) readId(decoder); // origin
  if (info & BIT7) readId(decoder); // right origin
  if ((info & (BIT8 | BIT7)) === 0) {
    // No neighbour: the parent is named, by root key or by the id of the item that holds it.
    if (readLenient(decoder) === 1) decoding.readVarString(decoder);
    else readId(decoder);
    if (info & BIT6) decoding.readVarString(decoder); // the map key
  }
  return contentLength(decoder, kind);
}

function readId(decoder: decoding.Decoder): void {
  readLenient(decoder);
  readLenient(decoder);
}

/** Reads an item's content of the given kind (Yjs's content refs 1-9) and returns its length. */
function contentLength(decoder: decoding.Decoder, kind: number): number {
  switch (kind) {
    case 1: // deleted: a length alone
      return readLenient(decoder);
    case 2: {
      // JSON: strings
      const count = readLenient(decoder);
      for (let i = 0; i < count; i++) decoding.readVarString(decoder);
      return count;
    }
    case 3: // binary
      decoding.readVarUint8Array(decoder);
      return 1;
    case 4: // string: its length in UTF-16 units, as Yjs counts it
      return decoding.readVarString(decoder).length;
    case 5: // embed
      decoding.readVarString(decoder);
      return 1;
    case 6: // format: key and value
      decoding.readVarString(decoder);
      decoding.readVarString(decoder);
      return 1;
    case 7: {
      // a nested type; XML elements and hooks carry a name
      const typeRef = readLenient(decoder);
      if (typeRef === 3 || typeRef === 5) decoding.readVarString(decoder);
      return 1;
    }
    case 8: {
      // any: plain values
      const count = readLenient(decoder);
      for (let i = 0; i < count; i++) decoding.readAny(decoder);
      return count;
    }
    case 9: // a subdocument: guid and options
      decoding.readVarString(decoder);
      decoding.readAny(decoder);
      return 1;
    default:
      throw new Error(`unknown content kind ${kind}`);
  }
}
