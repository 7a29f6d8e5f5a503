import { parseDocName } from "@chat/model";
import type { afterLoadDocumentPayload, Extension } from "@hocuspocus/server";
import { askClientToRetry, Refusal } from "../context.ts";
import type { Database } from "../db/database.ts";
import type { ServerChanges } from "../docs/serverChanges.ts";
import type { Logger } from "../log.ts";
import {
  directoryProjection,
  type Projection,
  roomProjection,
  userIndexProjection,
} from "../projections/projections.ts";

/**
 * When a server-written document loads, bring it in line with Postgres (the authority for accounts,
 * rooms and membership). This also repairs a document that missed a change, e.g. after a crash
 * between a database commit and the document write. Like every server change, stored before it is
 * applied; if it cannot be stored, the load fails and the client is asked to come back.
 */
export class ProjectionOnLoad implements Extension {
  priority = 90;
  extensionName = "projection";

  private readonly db: Database;
  private readonly changes: ServerChanges;
  private readonly log: Logger;

  constructor(db: Database, changes: ServerChanges, log: Logger) {
    this.db = db;
    this.changes = changes;
    this.log = log;
  }

  async afterLoadDocument({ documentName, document, context }: afterLoadDocumentPayload): Promise<void> {
    const ref = parseDocName(documentName);
    try {
      let projection: Projection | null = null;
      if (ref?.kind === "directory") projection = await directoryProjection(this.db);
      else if (ref?.kind === "room") projection = await roomProjection(this.db, ref.roomId);
      else if (ref?.kind === "user") projection = await userIndexProjection(this.db, ref.userId);
      if (projection) await this.changes.write(documentName, document, projection);
    } catch (error) {
      this.log.error(
        { doc: documentName, error: String(error) },
        "cannot bring a document in line: refusing it",
      );
      askClientToRetry(context, "database unavailable");
      throw new Refusal("unavailable");
    }
  }
}
