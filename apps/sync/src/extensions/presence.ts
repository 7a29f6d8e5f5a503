import type { beforeHandleAwarenessPayload, Extension } from "@hocuspocus/server";
import type { ConnectionContext } from "../context.ts";

/**
 * Presence (who is online, who is typing) travels as Yjs awareness, which clients write freely. The
 * server stamps every state a connection sends with that connection's person, so nobody can appear
 * online or typing as someone else. Awareness relayed from other instances was stamped where it entered.
 */
export class PresenceGuard implements Extension {
  priority = 1000;
  extensionName = "presence-guard";

  async beforeHandleAwareness({ context, states, connection }: beforeHandleAwarenessPayload): Promise<void> {
    const user = (context as Partial<ConnectionContext> | undefined)?.user;
    if (!connection || !user) return;
    for (const [clientId, state] of states) {
      if (typeof state !== "object" || state === null) continue;
      states.set(clientId, { ...state, user: { id: user.id, username: user.username } });
    }
  }
}
