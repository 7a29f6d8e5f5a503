import { userDocName } from "@chat/model";
import type { Document } from "@hocuspocus/server";

/**
 * Whose index document someone has open right now, on this instance or (through Redis) another.
 *
 * A room's entry in a person's index (unread, mentions, last activity) is derived from Postgres, and
 * the index is brought in line with Postgres whenever it loads (ProjectionOnLoad). So writing a
 * recount to the index of somebody who has no device on it is work nobody sees: in a company most
 * people are offline at any moment, and each message loaded and wrote every member's index. Recounts
 * are written only to the people this says are watching; the others get everything at once when
 * they next open their index (at load, or, when the document was already loaded for another reason,
 * at their first connection: `catchUpOnConnect`).
 */
export class IndexAudience {
  private readonly loaded: (documentName: string) => Document | undefined;
  private readonly loading: (documentName: string) => boolean;
  private readonly openOnPeers: ((documentNames: string[]) => Promise<Set<string>>) | null;
  /** Index documents loaded here while nobody watched them that a recount then passed over. */
  private readonly behind = new WeakSet<Document>();

  constructor(
    loaded: (documentName: string) => Document | undefined,
    openOnPeers: ((documentNames: string[]) => Promise<Set<string>>) | null,
    loading: (documentName: string) => boolean = () => false,
  ) {
    this.loaded = loaded;
    this.openOnPeers = openOnPeers;
    this.loading = loading;
  }

  /** Those of `userIds` with their index open on a device (here, or on a peer instance). */
  async watching(userIds: readonly string[]): Promise<Set<string>> {
    const watching = new Set<string>();
    const unknown: string[] = [];
    for (const userId of userIds) {
      const name = userDocName(userId);
      const document = this.loaded(name);
      // An index loading here is about to be watched, and its load may have read the counts before
      // this recount's message was recorded: written to (after its load), or it would keep them.
      if ((document && document.connections.size > 0) || (!document && this.loading(name)))
        watching.add(userId);
      else unknown.push(userId);
    }
    if (unknown.length > 0 && this.openOnPeers) {
      let elsewhere: Set<string>;
      try {
        elsewhere = await this.openOnPeers(unknown.map(userDocName));
      } catch {
        // Cannot tell (Redis is down): write to everyone, as if they were all watching.
        elsewhere = new Set(unknown.map(userDocName));
      }
      for (const userId of unknown) if (elsewhere.has(userDocName(userId))) watching.add(userId);
    }
    for (const userId of userIds) {
      if (watching.has(userId)) continue;
      const document = this.loaded(userDocName(userId));
      if (document) this.behind.add(document);
    }
    return watching;
  }

  /**
   * A device connected to `document`: true when it is an index a recount passed over while it was
   * loaded with nobody watching, which must now be brought in line (once).
   */
  catchUpOnConnect(document: Document): boolean {
    if (!this.behind.has(document)) return false;
    this.behind.delete(document);
    return true;
  }
}
