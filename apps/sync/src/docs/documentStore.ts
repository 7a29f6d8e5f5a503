import * as Y from "yjs";
import type { Queryable } from "../db/database.ts";
import { applyStoredParts, type Damage, type StoredPart } from "./storedParts.ts";

/**
 * Document storage: the latest snapshot plus the updates appended since. Appending is how an
 * accepted update becomes durable before the client hears it was synced; compaction folds the log
 * into a new snapshot in the background.
 */
export async function readDocument(db: Queryable, name: string): Promise<Uint8Array[]> {
  return (await readDocumentParts(db, name)).map((part) => part.data);
}

/** The document's snapshot and log rows, in order, each named by where it is stored. */
export async function readDocumentParts(db: Queryable, name: string): Promise<StoredPart[]> {
  // One statement, so one consistent view: read as two queries, a compaction committing in between
  // would leave the old snapshot without the log rows it had just folded in and deleted.
  const rows = await db.query<{ data: Uint8Array; ord: number }>(
    `select data, ord from (
       select snapshot as data, 0::bigint as ord from documents where name = $1
       union all
       select data, id as ord from document_updates where name = $1
     ) stored order by ord`,
    [name],
  );
  return rows.map((row) => ({ source: row.ord === 0 ? "snapshot" : `update ${row.ord}`, data: row.data }));
}

/**
 * Keeps a copy of a stored part that could not be applied as it was, with what was wrong, so an
 * operator can look at it (SECURITY.md, "Robustness"): the document itself goes on without it.
 */
export async function quarantine(db: Queryable, name: string, damage: readonly Damage[]): Promise<void> {
  for (const { source, problem, data } of damage)
    await db.query("insert into damaged_updates (name, source, problem, data) values ($1, $2, $3, $4)", [
      name,
      source,
      problem.slice(0, 1_000),
      data,
    ]);
}

export async function appendUpdate(db: Queryable, name: string, update: Uint8Array): Promise<void> {
  await appendUpdates(db, [{ name, update }]);
}

/** Appends several updates in one statement (one commit), in the order given. */
export async function appendUpdates(
  db: Queryable,
  rows: ReadonlyArray<{ name: string; update: Uint8Array }>,
): Promise<void> {
  if (rows.length === 0) return;
  // One placeholder pair per row: bytea arrays do not travel as parameters in both drivers alike.
  const values = rows.map((_, i) => `($${2 * i + 1}, $${2 * i + 2})`).join(", ");
  await db.query(
    `insert into document_updates (name, data) values ${values}`,
    rows.flatMap((row) => [row.name, row.update]),
  );
}

/**
 * Folds the log into the snapshot: the new snapshot merges the stored one, every log row it replaces
 * and `liveState` (the document in memory), so it never drops a row it has not folded in, whichever
 * instance compacts and whatever that instance has applied yet. Rows appended meanwhile stay in the
 * log. Compactions of one document take turns (advisory lock).
 */
export async function compactDocument(
  db: { transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> },
  name: string,
  liveState: Uint8Array,
): Promise<{ foldedRows: number; bytes: number; damage: Damage[] }> {
  return db.transaction(async (tx) => {
    await tx.query("select pg_advisory_xact_lock(hashtext($1))", [name]);
    const [stored] = await tx.query<{ snapshot: Uint8Array }>(
      "select snapshot from documents where name = $1",
      [name],
    );
    const rows = await tx.query<{ id: number; data: Uint8Array }>(
      "select id, data from document_updates where name = $1 order by id",
      [name],
    );
    // Folded by applying, as every load does (model/fold.ts says why not Y.mergeUpdates); a part
    // that cannot be applied is kept aside rather than failing every compaction after it.
    const doc = new Y.Doc({ gc: false, guid: "fold" });
    const damage = applyStoredParts(doc, [
      ...(stored ? [{ source: "snapshot", data: stored.snapshot }] : []),
      ...rows.map((row) => ({ source: `update ${row.id}`, data: row.data })),
      { source: "live state", data: liveState },
    ]);
    const snapshot = Y.encodeStateAsUpdate(doc);
    doc.destroy();
    await quarantine(tx, name, damage);
    await tx.query(
      `insert into documents (name, snapshot, updated_at) values ($1, $2, now())
       on conflict (name) do update set snapshot = excluded.snapshot, updated_at = now()`,
      [name, snapshot],
    );
    const last = rows.at(-1);
    if (last) await tx.query("delete from document_updates where name = $1 and id <= $2", [name, last.id]);
    return { foldedRows: rows.length, bytes: snapshot.byteLength, damage };
  });
}
