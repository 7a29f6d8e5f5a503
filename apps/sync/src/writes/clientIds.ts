import type { Database } from "../db/database.ts";

/**
 * Binds each Yjs client id to the account that first wrote with it. Without this, a client could
 * write items under another device's client id and clock, and that device's real items would later
 * be taken for duplicates and dropped.
 */
/** Owners remembered in memory; beyond this the least recently used are asked of Postgres again. */
const CACHED_OWNERS = 100_000;

export class ClientIdRegistry {
  private readonly owners = new Map<number, string>();

  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  /** Returns the client ids in `clients` that already belong to someone other than `userId`. */
  async claim(clients: Iterable<number>, userId: string): Promise<number[]> {
    const stolen: number[] = [];
    for (const client of clients) {
      let owner = this.owners.get(client);
      if (owner === undefined) {
        await this.db.query(
          "insert into yjs_clients (client_id, user_id) values ($1, $2) on conflict do nothing",
          [client, userId],
        );
        const [row] = await this.db.query<{ user_id: string }>(
          "select user_id from yjs_clients where client_id = $1",
          [client],
        );
        owner = row?.user_id ?? userId;
        if (this.owners.size >= CACHED_OWNERS) this.owners.delete(this.owners.keys().next().value!);
        this.owners.set(client, owner);
      }
      if (owner !== userId) stolen.push(client);
    }
    return stolen;
  }
}
