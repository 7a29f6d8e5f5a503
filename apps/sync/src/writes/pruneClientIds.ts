import * as Y from "yjs";
import type { Database } from "../db/database.ts";
import { readDocument } from "../docs/documentStore.ts";

/** A binding this young may belong to a write still on its way to storage: it is kept. */
export const PRUNE_SPARES_MS = 60_000;
const DELETE_BATCH = 500;

/**
 * Removes the Yjs client-id bindings (`yjs_clients`) that no stored document has a single item or
 * garbage-collected range under. Such a binding protects nothing: binding an id guards a device's
 * clock space in a document, and that id has none anywhere. Until issue 24 every presence message
 * bound a random id nobody used, so deployments from before hold many such rows, and an honest device
 * that draws one of those ids is refused when it writes.
 *
 * Sound because a write binds only the ids it adds items or garbage-collected ranges under
 * (`inspectUpdate`'s `clients`), and a document's state vector lists every id it holds either under,
 * deleted or not. Safe to run while the servers serve: bindings younger than a minute are kept.
 * Reads every stored document once, one at a time.
 */
export async function pruneUnusedClientIds(
  db: Database,
  now = Date.now(),
): Promise<{ bindings: number; removed: number }> {
  const rows = await db.query<{ client_id: string | number }>(
    "select client_id from yjs_clients where claimed_at < $1",
    [new Date(now - PRUNE_SPARES_MS)],
  );
  const unused = new Set(rows.map((row) => Number(row.client_id)));
  const names = await db.query<{ name: string }>(
    "select name from documents union select distinct name from document_updates",
  );
  for (const { name } of names) {
    if (unused.size === 0) break;
    for (const bytes of await readDocument(db, name))
      for (const client of Y.decodeStateVector(Y.encodeStateVectorFromUpdate(bytes)).keys())
        unused.delete(client);
  }
  const ids = [...unused];
  for (let at = 0; at < ids.length; at += DELETE_BATCH) {
    const batch = ids.slice(at, at + DELETE_BATCH);
    await db.query(
      `delete from yjs_clients where client_id in (${batch.map((_, i) => `$${i + 2}`).join(", ")}) and claimed_at < $1`,
      [new Date(now - PRUNE_SPARES_MS), ...batch],
    );
  }
  return { bindings: rows.length, removed: ids.length };
}
