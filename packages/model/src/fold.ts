import * as Y from "yjs";

/**
 * The state a list of Yjs updates makes together, built by applying them to a document rather than
 * with Y.mergeUpdates. Merging is a separate code path in Yjs that can drop structs when the inputs
 * overlap in unusual ways (the server's fuzz test found a log whose merge lost 48 acknowledged
 * messages), while applying is what every client does. Used wherever stored rows are compacted:
 * the server's snapshots and the device store alike. `gc: false` keeps every struct the rows had.
 */
export function foldUpdates(updates: readonly Uint8Array[]): Uint8Array {
  // A fixed guid: Yjs would draw a random one (31 calls into the system's random source) for a
  // document that lives for one fold.
  const doc = new Y.Doc({ gc: false, guid: "fold" });
  Y.transact(doc, () => {
    for (const update of updates) Y.applyUpdate(doc, update);
  });
  const state = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return state;
}
