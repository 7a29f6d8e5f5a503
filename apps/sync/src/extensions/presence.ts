import { parseDocName } from "@chat/model";
import type { beforeHandleAwarenessPayload, Extension } from "@hocuspocus/server";
import type { ConnectionContext } from "../context.ts";

/**
 * Presence (who is online, who is typing) travels as Yjs awareness, which clients write freely. The
 * server stamps every state a connection sends with that connection's person, so nobody can appear
 * online or typing as someone else. Awareness relayed from other instances was stamped where it entered.
 * Someone previewing a public room they are not in (a read-only connection to its documents) shows
 * nothing there, as in Slack: their states are dropped, so nobody sees a non-member typing or present.
 * The directory is read-only for everyone and carries "online", so it is not a preview.
 */
export class PresenceGuard implements Extension {
  priority = 1000;
  extensionName = "presence-guard";

  async beforeHandleAwareness({
    context,
    states,
    connection,
    documentName,
  }: beforeHandleAwarenessPayload): Promise<void> {
    const user = (context as Partial<ConnectionContext> | undefined)?.user;
    if (!connection || !user) return;
    if (connection.readOnly && parseDocName(documentName)?.kind !== "directory") {
      states.clear();
      return;
    }
    for (const [clientId, state] of states) {
      if (typeof state !== "object" || state === null) continue;
      states.set(clientId, { ...state, user: { id: user.id, username: user.username } });
    }
  }
}
