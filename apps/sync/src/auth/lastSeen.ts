import type { Queryable } from "../db/database.ts";
import type { Logger } from "../log.ts";

/** How stale `users.last_seen_at` may get while the person is active: one write per person per this. */
export const LAST_SEEN_SPACING_MS = 5 * 60_000;
/** Touches are gathered this long and written in one statement (a thousand devices connecting at once: one write). */
const FLUSH_DELAY_MS = 2_000;
/** People remembered per instance (each a few bytes); past this the oldest are forgotten (a spare write). */
const MAX_REMEMBERED = 50_000;

/**
 * The "last activity" the admin sees in People, kept cheap: a person's requests and socket frames
 * call `touch`, which is a map lookup unless LAST_SEEN_SPACING_MS passed since the person's last write
 * on this instance (the socket calls it for every frame). Those due are gathered for FLUSH_DELAY_MS and
 * written together. A failed write is only logged; the next touch after the spacing tries again.
 */
export class LastSeen {
  private readonly written = new Map<string, number>();
  private readonly due = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
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
    this.due.add(userId);
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), FLUSH_DELAY_MS);
      this.timer.unref();
    }
  }

  private flush(): void {
    this.timer = null;
    const ids = [...this.due];
    this.due.clear();
    this.db
      .query("update users set last_seen_at = now() where id = any($1::text[])", [ids])
      .catch((error) => {
        this.log.warn({ people: ids.length, error: String(error) }, "cannot record last activity");
      });
  }
}
