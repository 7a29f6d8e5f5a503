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

/**
 * Throws, naming the first differing replica, unless all replicas hold the same state: the same
 * items (state vector) and the same deletions (delete set), which is what convergence means in Yjs.
 * (Comparing JSON would not do: a replica that never asked for a root type holds it untyped.)
 */
export function assertConverged(docs: Y.Doc[]): void {
  const [first, ...rest] = docs;
  if (!first) return;
  const vector = (doc: Y.Doc) => Buffer.from(Y.encodeStateVector(doc)).toString("hex");
  rest.forEach((doc, index) => {
    if (vector(doc) !== vector(first)) throw new Error(`replica ${index + 1} has other items than replica 0`);
    const deletions = (d: Y.Doc) => Y.createDeleteSetFromStructStore(d.store);
    if (!Y.equalDeleteSets(deletions(doc), deletions(first)))
      throw new Error(`replica ${index + 1} has other deletions than replica 0`);
  });
}
