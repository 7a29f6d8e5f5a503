import type { Queryable } from "../db/database.ts";
import type { Logger } from "../log.ts";

/** How stale `users.last_seen_at` may get while the person is active: one write per person per this. */
export const LAST_SEEN_SPACING_MS = 5 * 60_000;
/** People remembered per instance (each a few bytes); past this the oldest are forgotten (a spare write). */
const MAX_REMEMBERED = 50_000;

/**
 * The "last activity" the admin sees in People, kept cheap: a person's requests and socket frames
 * call `touch`, which writes `users.last_seen_at` at most once per LAST_SEEN_SPACING_MS per person on
 * this instance (a map lookup otherwise: the socket calls it for every frame). A failed write is only
 * logged; the next touch after the spacing tries again.
 */
export class LastSeen {
  private readonly written = new Map<string, number>();
  private readonly db: Queryable;
  private readonly log: Logger;
  private readonly spacingMs: number;

  constructor(db: Queryable, log: Logger, spacingMs = LAST_SEEN_SPACING_MS) {
    this.db = db;
    this.log = log;
    this.spacingMs = spacingMs;
  }

  touch(userId: string, now = Date.now()): void {
    const last = this.written.get(userId);
    if (last !== undefined && now - last < this.spacingMs) return;
    this.written.delete(userId);
    this.written.set(userId, now);
    if (this.written.size > MAX_REMEMBERED) this.written.delete(this.written.keys().next().value!);
    this.db.query("update users set last_seen_at = now() where id = $1", [userId]).catch((error) => {
      this.log.warn({ user: userId, error: String(error) }, "cannot record last activity");
    });
  }
}
