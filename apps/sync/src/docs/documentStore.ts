import type { Queryable } from "../db/database.ts";

/**
 * Document storage: the latest snapshot plus the updates appended since. Appending is how an
 * accepted update becomes durable before the client hears it was synced; compaction folds the log
 * into a new snapshot in the background.
 */
export async function readDocument(db: Queryable, name: string): Promise<Uint8Array[]> {
  const [snapshot] = await db.query<{ snapshot: Uint8Array }>(
    "select snapshot from documents where name = $1",
    [name],
  );
  const updates = await db.query<{ data: Uint8Array }>(
    "select data from document_updates where name = $1 order by id",
    [name],
  );
  return [...(snapshot ? [snapshot.snapshot] : []), ...updates.map((row) => row.data)];
}

export async function appendUpdate(db: Queryable, name: string, update: Uint8Array): Promise<number> {
  const [row] = await db.query<{ id: number }>(
    "insert into document_updates (name, data) values ($1, $2) returning id",
    [name, update],
  );
  return Number(row!.id);
}

export async function lastUpdateId(db: Queryable, name: string): Promise<number> {
  const [row] = await db.query<{ id: number | null }>(
    "select max(id) as id from document_updates where name = $1",
    [name],
  );
  return Number(row?.id ?? 0);
}

/**
 * Stores `snapshot` and drops the log rows it covers (ids up to `coveredUpTo`). Rows appended after
 * the snapshot was taken stay; applying one twice is harmless because Yjs updates are idempotent.
 */
export async function writeSnapshot(
  db: { transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> },
  name: string,
  snapshot: Uint8Array,
  coveredUpTo: number,
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(
      `insert into documents (name, snapshot, updated_at) values ($1, $2, now())
       on conflict (name) do update set snapshot = excluded.snapshot, updated_at = now()`,
      [name, snapshot],
    );
    if (coveredUpTo > 0)
      await tx.query("delete from document_updates where name = $1 and id <= $2", [name, coveredUpTo]);
  });
}
