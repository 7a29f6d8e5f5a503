import { DIRECTORY_DOC, roomDocName, userDocName } from "@chat/model";
import type { Hocuspocus } from "@hocuspocus/server";
import type * as Y from "yjs";
import type { Database } from "../db/database.ts";
import { directoryProjection, type Projection, roomProjection, userIndexProjection } from "./projections.ts";
import type { ServerChanges } from "./serverChanges.ts";

/**
 * Applies the server's own changes to documents, loaded or not (through Hocuspocus direct
 * connections, which load them). Each change is stored before it is applied and sent
 * (ServerChanges); connected clients and peer instances then receive it at once.
 */
export class DocumentWriter {
  private readonly hocuspocus: Hocuspocus;
  private readonly db: Database;
  private readonly changes: ServerChanges;

  constructor(hocuspocus: Hocuspocus, db: Database, changes: ServerChanges) {
    this.hocuspocus = hocuspocus;
    this.db = db;
    this.changes = changes;
  }

  /** Stores, then applies, `projection` to the document, loading it if it is not loaded. */
  async apply(documentName: string, projection: Projection): Promise<void> {
    const connection = await this.hocuspocus.openDirectConnection(documentName, {});
    try {
      await this.changes.write(documentName, connection.document!, projection);
    } finally {
      // Keep hot documents (the directory above all) warm; the debounced store unloads idle ones.
      await connection.disconnect({ unloadImmediately: false });
    }
  }

  /** Stores, then applies, `projection` to a document already in hand (loaded, e.g. in a hook). */
  async change(documentName: string, document: Y.Doc, projection: Projection): Promise<void> {
    await this.changes.write(documentName, document, projection);
  }

  async refreshDirectory(): Promise<void> {
    await this.apply(DIRECTORY_DOC, await directoryProjection(this.db));
  }

  async refreshRoom(roomId: string): Promise<void> {
    await this.apply(roomDocName(roomId), await roomProjection(this.db, roomId));
  }

  async refreshUserIndex(userId: string): Promise<void> {
    await this.apply(userDocName(userId), await userIndexProjection(this.db, userId));
  }
}
