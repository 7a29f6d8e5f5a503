import type { beforeHandleAwarenessPayload, Extension } from "@hocuspocus/server";
import { type ConnectionContext, ForbiddenWrite } from "../context.ts";
import type { Logger } from "../log.ts";
import type { ClientIdRegistry } from "../writes/clientIds.ts";

/** One device's presence (who is here, typing, cursor): a few hundred bytes; this leaves ample room. */
export const MAX_AWARENESS_STATE_BYTES = 8 * 1024;
/** A provider announces its own state only; a little slack for a tab that recreated its document. */
const MAX_STATES_PER_UPDATE = 4;

/**
 * Presence is not stored, but it is shown to everyone in the room, so it is checked like a write:
 * a client may announce only states under Yjs client ids that are its own (nobody appears as someone
 * else or makes someone else look gone), each state small and plain JSON. Anything else closes that
 * document's connection with 4403 before the state reaches anyone.
 */
export class AwarenessGuard implements Extension {
  priority = 200;
  extensionName = "awareness-guard";

  private readonly clientIds: ClientIdRegistry;
  private readonly log: Logger;

  constructor(clientIds: ClientIdRegistry, log: Logger) {
    this.clientIds = clientIds;
    this.log = log;
  }

  async beforeHandleAwareness({
    states,
    context,
    documentName,
  }: beforeHandleAwarenessPayload): Promise<void> {
    const user = (context as Partial<ConnectionContext> | undefined)?.user;
    if (!user) return; // server-internal
    const refuse = (explanation: string): never => {
      this.log.warn({ doc: documentName, user: user.id, explanation }, "refused an awareness update");
      throw new ForbiddenWrite(explanation);
    };
    if (states.size > MAX_STATES_PER_UPDATE) refuse("presence for several devices at once");
    for (const state of states.values()) {
      let size: number;
      try {
        size = JSON.stringify(state).length;
      } catch {
        refuse("presence that is not plain JSON");
      }
      if (size! > MAX_AWARENESS_STATE_BYTES) refuse("presence too large");
    }
    const stolen = await this.clientIds.claim(states.keys(), user.id);
    if (stolen.length > 0) refuse("presence under another account's client id");
  }
}
