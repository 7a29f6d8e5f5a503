import type { Hocuspocus } from "@hocuspocus/server";
import type * as Y from "yjs";
import type { LateBound } from "../lib/lateBound.ts";
import type { ServerChanges } from "./serverChanges.ts";

/** A change the server makes to a document (a projection of Postgres, a stamp, a line in the history). */
export type DocumentChange = (doc: Y.Doc) => void;

/** How long the writer keeps a document open after its last write to it (see DocumentWriter). */
export const KEEP_OPEN_AFTER_WRITE_MS = 3_000;

type DirectConnection = Awaited<ReturnType<Hocuspocus["openDirectConnection"]>>;

interface Held {
  connection: Promise<DirectConnection>;
  timer: NodeJS.Timeout;
}

/**
 * Applies the server's own changes to documents, loaded or not (through Hocuspocus direct
 * connections, which load them). Each change is stored before it is applied and sent
 * (ServerChanges); connected clients and peer instances then receive it at once.
 *
 * A document written to stays open until KEEP_OPEN_AFTER_WRITE_MS pass without another write, then is let go
 * (stored and unloaded if nobody else has it open). The index documents of people who are offline
 * are written on every recount of each of their rooms; closing each after its write made Hocuspocus
 * unload it once its debounced store ran (at the latest every 10 s in a busy room) and the next
 * write load it again from Postgres, with its projection: in a room of 50 mostly offline people,
 * that was 50 loads at a time, and the deliveries in the room waited behind them.
 */
export class DocumentWriter {
  private readonly hocuspocus: LateBound<Hocuspocus>;
  private readonly changes: ServerChanges;
  private readonly held = new Map<string, Held>();

  constructor(hocuspocus: LateBound<Hocuspocus>, changes: ServerChanges) {
    this.hocuspocus = hocuspocus;
    this.changes = changes;
  }

  /** Stores, then applies, `change` to the document, loading it if it is not loaded. */
  async apply(documentName: string, change: DocumentChange): Promise<void> {
    let connection = await this.open(documentName);
    if (!connection.document || connection.document.isDestroyed) {
      // Unloaded under us (the server is stopping, or Hocuspocus let it go): open it afresh.
      this.release(documentName);
      connection = await this.open(documentName);
    }
    await this.changes.write(documentName, connection.document!, change);
  }

  /** Lets every held document go (stored, and unloaded when nobody else has it open): before shutdown. */
  async close(): Promise<void> {
    await Promise.all([...this.held.keys()].map((name) => this.release(name)));
  }

  private open(documentName: string): Promise<DirectConnection> {
    const held = this.held.get(documentName);
    if (held) {
      held.timer.refresh();
      return held.connection;
    }
    const connection = this.hocuspocus.get().openDirectConnection(documentName, {});
    const timer = setTimeout(() => void this.release(documentName), KEEP_OPEN_AFTER_WRITE_MS);
    timer.unref();
    const entry: Held = { connection, timer };
    this.held.set(documentName, entry);
    connection.catch(() => {
      if (this.held.get(documentName) === entry) this.release(documentName);
    });
    return connection;
  }

  private async release(documentName: string): Promise<void> {
    const held = this.held.get(documentName);
    if (!held) return;
    this.held.delete(documentName);
    clearTimeout(held.timer);
    const connection = await held.connection.catch(() => null);
    await connection?.disconnect({ unloadImmediately: true }).catch(() => {});
  }

  /** Stores, then applies, `change` to a document already in hand (loaded, e.g. in a hook). */
  async change(documentName: string, document: Y.Doc, change: DocumentChange): Promise<void> {
    await this.changes.write(documentName, document, change);
  }
}
