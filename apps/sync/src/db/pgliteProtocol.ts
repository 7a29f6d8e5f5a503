/** Messages between the server and the embedded database's thread (pglite.ts, pgliteThread.ts). */
export type PgliteRequest =
  | { id: number; op: "open" }
  | { id: number; op: "query"; sql: string; params?: readonly unknown[]; transaction?: number }
  | { id: number; op: "exec"; sql: string }
  | { id: number; op: "begin" }
  | { id: number; op: "end"; transaction: number; commit: boolean }
  | { id: number; op: "close" };

export type PgliteReply =
  | { id: number; ok: true; rows?: object[]; transaction?: number }
  | { id: number; ok: false; error: { message: string; code?: string; detail?: string } };

/** Told by the thread unasked: its own upkeep ran (pgliteThread.ts, `maintain`). */
export interface PgliteMaintenance {
  maintenance: { ms: number; error?: string };
}
