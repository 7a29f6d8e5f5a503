/**
 * Bytes as Yjs and Hocuspocus write them (lib0 encoding), for tests that craft updates and frames by
 * hand, and the attack-and-fault probe's updates (issue 17) that such tests replay.
 */

/** LEB128, as lib0 writes every unsigned number. */
export function varUint(value: number): number[] {
  const out: number[] = [];
  while (value > 0x7f) {
    out.push((value % 0x80) | 0x80);
    value = Math.floor(value / 0x80);
  }
  out.push(value);
  return out;
}

export const varString = (text: string): number[] => {
  const bytes = new TextEncoder().encode(text);
  return [...varUint(bytes.length), ...bytes];
};

export const varBytes = (bytes: Uint8Array | number[]): number[] => [...varUint(bytes.length), ...bytes];

export const hex = (h: string): Uint8Array =>
  Uint8Array.from(h.match(/../g)!.map((b) => Number.parseInt(b, 16)));

/** One 25-byte update: client 4242, garbage-collected lengths 2^56 and 2^54. It crashed the server. */
export const PROBE_CRASH_UPDATE = hex("01029221000080808080808080800100808080808080802000");

/** Two updates that, accepted one after the other, left a document unreadable by anyone. */
export const PROBE_DAMAGING_UPDATES = [
  hex("01019221000080808080808080800100"),
  hex("0101922180808080808080800100808080808080802000"),
];
