import type * as Y from "yjs";

/**
 * Calls back once per transaction that changed any of `types`, not once per changed type. Applying a
 * room's stored segment changes its messages and their sequence numbers in one transaction; with an
 * observer per type the app re-read and re-rendered the whole list once for each, the first time
 * with every message still unsequenced. Returns the unsubscribe.
 */
/** A shared type as a transaction's `changed` map names it (Yjs's own types do not assign to it: variance). */
type ChangedType = Parameters<Y.Transaction["changed"]["has"]>[0];

export function observeTypes(doc: Y.Doc, types: readonly object[], callback: () => void): () => void {
  const handler = (transaction: Y.Transaction) => {
    for (const type of types)
      if (transaction.changed.has(type as ChangedType)) {
        callback();
        return;
      }
  };
  doc.on("afterTransaction", handler);
  return () => doc.off("afterTransaction", handler);
}
