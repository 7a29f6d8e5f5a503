import { DIRECTORY_DOC, roomDocName, userDocName } from "@chat/model";
import type { Database } from "../db/database.ts";
import type { DocumentWriter } from "../docs/writer.ts";
import { directoryProjection, roomProjection, userIndexProjection } from "./projections.ts";

/**
 * Brings the documents the server writes in line with Postgres after a change to the rows they mirror
 * (projections.ts): reads the rows, then writes what differs through the DocumentWriter.
 */
export class Projector {
  private readonly db: Database;
  private readonly writer: DocumentWriter;

  constructor(db: Database, writer: DocumentWriter) {
    this.db = db;
    this.writer = writer;
  }

  async refreshDirectory(): Promise<void> {
    await this.writer.apply(DIRECTORY_DOC, await directoryProjection(this.db));
  }

  async refreshRoom(roomId: string): Promise<void> {
    await this.writer.apply(roomDocName(roomId), await roomProjection(this.db, roomId));
  }

  async refreshUserIndex(userId: string): Promise<void> {
    await this.writer.apply(userDocName(userId), await userIndexProjection(this.db, userId));
  }
}
