/**
 * The one storage interface the server uses. Two drivers implement it: `pg` against a PostgreSQL
 * server (when DATABASE_URL is set) and embedded PGlite (real Postgres compiled to WASM) otherwise.
 * Both run the same SQL, which must stay within what PostgreSQL 15 supports.
 */
export type Row = Record<string, unknown>;

export interface Queryable {
  query<T extends object = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
}

export interface Database extends Queryable {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs a script of several statements (migrations). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
  readonly driver: "pg" | "pglite";
}

/** Thrown when the database cannot be reached: callers refuse the work instead of guessing. */
export class DatabaseUnavailable extends Error {
  override name = "DatabaseUnavailable";
}
