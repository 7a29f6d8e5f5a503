import { findMessage, isMessageRecord, parseDocName, ROOTS } from "@chat/model";
import type { beforeSyncPayload, Extension } from "@hocuspocus/server";
import type * as Y from "yjs";
import { type ConnectionContext, ForbiddenWrite } from "../context.ts";
import type { Logger } from "../log.ts";
import type { ClientIdRegistry } from "../writes/clientIds.ts";
import { inspectUpdate, UnresolvableUpdate, type Write } from "../writes/inspectUpdate.ts";
import { type MessageLookup, refuseWrites } from "../writes/rules.ts";

const SYNC_STEP_1 = 0;

/**
 * Hocuspocus has no per-update permissions, so every update is decoded and judged before it is
 * applied, stored or broadcast. A refused update closes that document's connection with code 4403;
 * nothing of it reaches other clients or Postgres.
 */
export class WriteGuard implements Extension {
  priority = 200;
  extensionName = "write-guard";

  private readonly clientIds: ClientIdRegistry;
  private readonly log: Logger;

  constructor(clientIds: ClientIdRegistry, log: Logger) {
    this.clientIds = clientIds;
    this.log = log;
  }

  async beforeSync({ documentName, document, type, payload, context }: beforeSyncPayload): Promise<void> {
    if (type === SYNC_STEP_1) return; // a state vector, no content
    const { user } = context as ConnectionContext;
    const ref = parseDocName(documentName);
    if (!ref) throw new ForbiddenWrite("unknown document");
    let inspected: ReturnType<typeof inspectUpdate>;
    try {
      inspected = inspectUpdate(document, payload);
    } catch (error) {
      const explanation = error instanceof UnresolvableUpdate ? error.message : "malformed update";
      this.refuse(documentName, user.id, explanation);
    }
    if (inspected.noop) return;
    const problem = refuseWrites(ref, user.id, inspected.writes, messageLookup(document, inspected.writes));
    if (problem) this.refuse(documentName, user.id, problem);
    const stolen = await this.clientIds.claim(inspected.clients, user.id);
    if (stolen.length > 0)
      this.refuse(documentName, user.id, "that Yjs client id belongs to another account");
  }

  private refuse(documentName: string, userId: string, explanation: string): never {
    this.log.warn({ doc: documentName, user: userId, explanation }, "refused a write");
    throw new ForbiddenWrite(explanation);
  }
}

/** Messages an edit may refer to: those in the segment, and those the same update appends (sent offline, then edited). */
function messageLookup(document: Y.Doc, writes: readonly Write[]): MessageLookup {
  return {
    message(id) {
      for (const write of writes)
        if (write.op === "insert" && write.root === ROOTS.segment.messages)
          for (const value of write.values ?? []) if (isMessageRecord(value) && value.id === id) return value;
      return findMessage(document, id);
    },
  };
}
