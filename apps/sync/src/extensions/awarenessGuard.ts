import { carriesPresence, isServerClientId, parseDocName } from "@chat/model";
import type { beforeHandleAwarenessPayload, Extension, onAwarenessUpdatePayload } from "@hocuspocus/server";
import { type ConnectionContext, ForbiddenPresence } from "../context.ts";
import type { LimitPolicy } from "../limits/policy.ts";
import { TokenBucket } from "../limits/tokenBucket.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import type { ClientIdRegistry } from "../writes/clientIds.ts";

/** One device's presence (who is here, typing, cursor): a few hundred bytes; this leaves ample room. */
export const MAX_AWARENESS_STATE_BYTES = 8 * 1024;
/** A provider announces its own state only; a little slack for a tab that recreated its document. */
const MAX_STATES_PER_UPDATE = 4;

/**
 * Presence is not stored, but it is shown to everyone in the room, so it is checked before anyone
 * sees it. What an honest provider can send is let through or silently left out, never refused:
 *
 * - Hocuspocus's own scratch entry is left out (`dropScratchEntry`).
 * - A state under a client id held by another account (one it wrote with, or one its live device
 *   announces, here or, for this document, on another instance) is left out: nobody appears as
 *   another device or makes it look gone. An honest device only gets there by drawing a random id
 *   someone else holds, and then only its presence is unseen.
 * - Over the per-connection allowance (`LimitPolicy.presence`), messages are left out: a flood is
 *   not relayed to everyone in the room. Honest typing indicators stay far below it.
 *
 * What no honest provider sends (more than a few states at once, a state over 8 KiB or not plain
 * JSON) closes the document's connection with 4403 `forbidden-presence: <why>`. Every state left out
 * or refused is counted in `chat_refusals_total{reason}`. Ids announced here are held in memory only
 * (`ClientIdRegistry.announce`); writes are what bind an id in Postgres.
 */
export class AwarenessGuard implements Extension {
  // Before PresenceGuard stamps the states: what is left out here is never stamped or relayed.
  priority = 1100;
  extensionName = "awareness-guard";

  private readonly clientIds: ClientIdRegistry;
  private readonly log: Logger;
  private readonly metrics: Pick<Metrics, "refused">;
  private readonly limits: LimitPolicy["presence"];
  private readonly allowances = new WeakMap<object, TokenBucket>();

  constructor(
    clientIds: ClientIdRegistry,
    log: Logger,
    metrics: Pick<Metrics, "refused">,
    limits: LimitPolicy["presence"],
  ) {
    this.clientIds = clientIds;
    this.log = log;
    this.metrics = metrics;
    this.limits = limits;
  }

  async beforeHandleAwareness({
    states,
    context,
    connection,
    documentName,
    awareness,
  }: beforeHandleAwarenessPayload): Promise<void> {
    dropScratchEntry(states);
    const ref = parseDocName(documentName);
    // Presence nobody reads is not relayed (model carriesPresence): an honest provider sends it anyway.
    if (ref && !carriesPresence(ref)) {
      states.clear();
      return;
    }
    const user = (context as Partial<ConnectionContext> | undefined)?.user;
    if (!user || !connection) return; // relayed from another instance: checked where it entered
    if (states.size === 0) return;

    let allowance = this.allowances.get(connection);
    if (!allowance) {
      allowance = new TokenBucket(this.limits.updatesPerSecond, this.limits.burst);
      this.allowances.set(connection, allowance);
    }
    if (!allowance.take(1)) {
      this.metrics.refused("presence-rate-limited");
      states.clear();
      return;
    }

    const refuse = (label: string, explanation: string): never => {
      this.log.warn({ doc: documentName, user: user.id, explanation }, "refused an awareness update");
      this.metrics.refused(label);
      throw new ForbiddenPresence(explanation);
    };
    if (states.size > MAX_STATES_PER_UPDATE)
      refuse("presence-too-many-states", "presence for several devices at once");
    for (const state of states.values()) {
      let size: number;
      try {
        size = JSON.stringify(state).length;
      } catch {
        refuse("presence-not-json", "presence that is not plain JSON");
      }
      if (size! > MAX_AWARENESS_STATE_BYTES) refuse("presence-too-large", "presence too large");
    }

    for (const clientId of [...states.keys()]) {
      // The server's own ids (model clientIds.ts) are nobody's device: no presence under them.
      if (isServerClientId(clientId)) {
        this.metrics.refused("presence-server-client");
        states.delete(clientId);
        continue;
      }
      // A live state in this document (stamped where it entered, on this instance or another) says
      // whose device holds the id right now.
      const live = (awareness.getStates().get(clientId) as { user?: { id?: unknown } } | undefined)?.user?.id;
      let holder: string | null = live !== undefined && live !== user.id ? String(live) : null;
      try {
        holder ??= await this.clientIds.heldByOther(clientId, user.id);
      } catch (error) {
        // Presence can wait for the next renewal; the document stays open.
        this.log.warn({ doc: documentName, error: String(error) }, "cannot check a presence client id");
        this.metrics.refused("presence-unchecked");
        states.delete(clientId);
        continue;
      }
      if (holder !== null) {
        this.log.info({ doc: documentName, user: user.id, clientId }, "left out presence under a held id");
        this.metrics.refused("presence-foreign-client");
        states.delete(clientId);
        continue;
      }
      this.clientIds.announce(clientId, user.id);
    }
  }

  /** A state gone (its connection closed, or it timed out): its id is free again for anyone. */
  async onAwarenessUpdate({ removed }: onAwarenessUpdatePayload): Promise<void> {
    for (const clientId of removed) this.clientIds.release(clientId);
  }
}

/**
 * Hocuspocus (4.7, `MessageReceiver`, case `MessageType.Awareness`) decodes each awareness message
 * into a scratch `Awareness` and hands this hook its state map. The y-protocols `Awareness`
 * constructor announces its own random client id with the state `{}` before the message's entries
 * are added, so the map always starts with that entry: nobody's, and new with every message. Claimed,
 * it bound a fresh random id to the sender per message, and it counted against the states allowed per
 * update. (It is not relayed today only because its clock is 0, which the document's awareness
 * ignores for an unknown id.) `awarenessGuard.test.ts` checks that Hocuspocus still does this.
 */
export function dropScratchEntry(states: Map<number, unknown>): void {
  const first = states.entries().next();
  if (first.done) return;
  const [clientId, state] = first.value;
  if (isEmptyObject(state)) states.delete(clientId);
}

function isEmptyObject(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.getPrototypeOf(value) === Object.prototype &&
    Object.keys(value).length === 0
  );
}
