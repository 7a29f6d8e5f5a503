import type { Database } from "../db/database.ts";

/** Owners remembered in memory; beyond this the oldest entries are asked of Postgres again. */
const CACHED_OWNERS = 100_000;
/**
 * How long "nobody wrote with this id" is believed without asking Postgres again, when other instances
 * share the database: one of them may bind the id meanwhile. Presence renews every 15 s per device and
 * document, so this spares Postgres all but one lookup a minute per id that only ever announces
 * presence. An instance alone binds every id itself (claim), so it believes "nobody" until then.
 */
const UNOWNED_FOR_MS = 60_000;
/**
 * How long an id announced for presence stays its announcer's: twice y-protocols' 30 s timeout, after
 * which everyone has dropped the state anyway. A connected device renews every 15 s.
 */
const ANNOUNCED_FOR_MS = 60_000;
/** Live announcements remembered at most (one per open document per device). */
const MAX_ANNOUNCED = 1_000_000;

/**
 * Binds each Yjs client id to the account that first wrote with it. Without this, a client could
 * write items under another device's client id and clock, and that device's real items would later
 * be taken for duplicates and dropped.
 *
 * Presence (awareness) binds nothing in Postgres: a Y.Doc draws a random 32-bit id every time a
 * document opens, every open document announces presence, and binding all of them forever would fill
 * the table with ids that never wrote, which honest devices then draw again and are refused for. An id
 * announced for presence is held by its announcer in memory while the announcement lives, so nobody
 * can write with (or announce under) a live device's id before that device writes. This hold is per
 * instance: with several instances, other instances see it only once the device writes.
 */
export class ClientIdRegistry {
  /** Owner by client id; null: nobody had written with it when asked (at the time stored with it). */
  private readonly owners = new Map<number, { owner: string | null; at: number }>();
  /** Live presence announcements, oldest renewal first. */
  private readonly announced = new Map<number, { userId: string; until: number }>();

  private readonly db: Database;
  /** No other instance shares the database (no Redis): only this one's claims bind ids. */
  private readonly alone: boolean;

  constructor(db: Database, options: { alone?: boolean } = {}) {
    this.db = db;
    this.alone = options.alone ?? false;
  }

  /**
   * A write: binds every id of `clients` nobody owns to `userId`. Returns those that already belong
   * to someone else, in Postgres or by a live presence announcement on this instance.
   */
  async claim(clients: Iterable<number>, userId: string): Promise<number[]> {
    const stolen: number[] = [];
    for (const client of clients) {
      const announcer = this.announcer(client);
      if (announcer !== null && announcer !== userId) {
        stolen.push(client);
        continue;
      }
      let owner = this.cached(client);
      if (owner === undefined || owner === null) {
        await this.db.query(
          "insert into yjs_clients (client_id, user_id) values ($1, $2) on conflict do nothing",
          [client, userId],
        );
        owner = (await this.lookUp(client)) ?? userId;
        this.remember(client, owner);
      }
      if (owner !== userId) stolen.push(client);
    }
    return stolen;
  }

  /**
   * Presence: who holds `client`, if not `userId`: the account that wrote with it, or whose device
   * announced it and is still live. Binds nothing; null when `userId` may announce under it.
   */
  async heldByOther(client: number, userId: string): Promise<string | null> {
    const announcer = this.announcer(client);
    if (announcer !== null && announcer !== userId) return announcer;
    let owner = this.cached(client);
    if (owner === undefined) {
      owner = await this.lookUp(client);
      this.remember(client, owner);
    }
    return owner !== null && owner !== userId ? owner : null;
  }

  /** `userId`'s device announced presence under `client` (just checked with `heldByOther`). */
  announce(client: number, userId: string, now = Date.now()): void {
    this.announced.delete(client); // re-inserted last: the map stays ordered by renewal
    this.announced.set(client, { userId, until: now + ANNOUNCED_FOR_MS });
    for (const [id, entry] of this.announced) {
      if (entry.until > now && this.announced.size <= MAX_ANNOUNCED) break;
      this.announced.delete(id);
    }
  }

  /** The announced state is gone (its connection closed, or it timed out): anyone may use the id. */
  release(client: number): void {
    this.announced.delete(client);
  }

  private announcer(client: number, now = Date.now()): string | null {
    const entry = this.announced.get(client);
    return entry && entry.until > now ? entry.userId : null;
  }

  /** The cached owner; undefined when unknown or when "nobody" is too old to believe. */
  private cached(client: number): string | null | undefined {
    const entry = this.owners.get(client);
    if (!entry) return undefined;
    // Every presence id of every device was asked about again each minute: with 500 devices, a
    // third of a statement per message at 50 messages a second, for answers that cannot change here.
    if (entry.owner === null && !this.alone && Date.now() - entry.at > UNOWNED_FOR_MS) return undefined;
    return entry.owner;
  }

  private remember(client: number, owner: string | null): void {
    this.owners.delete(client);
    if (this.owners.size >= CACHED_OWNERS) this.owners.delete(this.owners.keys().next().value!);
    this.owners.set(client, { owner, at: Date.now() });
  }

  private async lookUp(client: number): Promise<string | null> {
    const [row] = await this.db.query<{ user_id: string }>(
      "select user_id from yjs_clients where client_id = $1",
      [client],
    );
    return row?.user_id ?? null;
  }
}
