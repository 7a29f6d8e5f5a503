import * as Y from "yjs";

/**
 * Replica helpers for convergence tests: N documents that exchange updates in a random order, as
 * devices on a flaky network would, and a check that they all ended in the same state.
 */
export function createReplicas(count: number): Y.Doc[] {
  return Array.from({ length: count }, () => new Y.Doc());
}

/** A small seeded generator (mulberry32), so a failing order can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Sends every replica's state to every other replica, pair by pair in a shuffled order, as
 * incremental updates (state-vector diffs). One full pass is enough for convergence.
 */
export function syncInRandomOrder(docs: Y.Doc[], random: () => number): void {
  const pairs: Array<[Y.Doc, Y.Doc]> = [];
  for (const from of docs) for (const to of docs) if (from !== to) pairs.push([from, to]);
  for (let i = pairs.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [pairs[i], pairs[j]] = [pairs[j]!, pairs[i]!];
  }
  for (const [from, to] of pairs) Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)));
  // A second pass delivers what arrived at a replica after it had already sent to others.
  for (const [from, to] of pairs) Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)));
}

/** Throws, naming the first differing replica, unless every replica holds the same content. */
export function assertConverged(docs: Y.Doc[]): void {
  const [first, ...rest] = docs;
  if (!first) return;
  const expected = JSON.stringify(snapshotJson(first));
  rest.forEach((doc, index) => {
    const actual = JSON.stringify(snapshotJson(doc));
    if (actual !== expected) throw new Error(`replica ${index + 1} differs from replica 0:\n${actual}\n${expected}`);
  });
}

function snapshotJson(doc: Y.Doc): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, type] of [...doc.share.entries()].sort(([a], [b]) => a.localeCompare(b))) out[name] = type.toJSON();
  return out;
}
