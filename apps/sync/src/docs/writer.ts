import { DIRECTORY_DOC, roomDocName, userDocName } from "@chat/model";
import type { Hocuspocus } from "@hocuspocus/server";
import type { Database } from "../db/database.ts";
import { directoryProjection, type Projection, roomProjection, userIndexProjection } from "./projections.ts";

/**
 * Applies the server's own changes to documents, loaded or not, through Hocuspocus direct
 * connections: connected clients receive them at once and persistence stores them like any change.
 */
export class DocumentWriter {
  private readonly hocuspocus: Hocuspocus;
  private readonly db: Database;

  constructor(hocuspocus: Hocuspocus, db: Database) {
    this.hocuspocus = hocuspocus;
    this.db = db;
  }

  async apply(documentName: string, projection: Projection): Promise<void> {
    const connection = await this.hocuspocus.openDirectConnection(documentName, {});
    try {
      await connection.transact((doc) => projection(doc));
    } finally {
      // Keep hot documents (the directory above all) warm; the debounced store unloads idle ones.
      await connection.disconnect({ unloadImmediately: false });
    }
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
