import { serverClientId } from "@chat/model";
import type { LocalTransactionOrigin } from "@hocuspocus/server";
import * as Y from "yjs";
import { SerialQueues } from "../lib/serialQueues.ts";

/** Where a server change is stored before it is applied: the update log (group commit). */
export interface ChangeLog {
  append(name: string, update: Uint8Array): Promise<void>;
}

/** The origin a stored server change is applied with: persistence skips it (it is in the log already). */
export interface StoredChangeOrigin extends LocalTransactionOrigin {
  stored: true;
}

export function isStoredChange(origin: unknown): origin is StoredChangeOrigin {
  return (origin as Partial<StoredChangeOrigin> | null | undefined)?.stored === true;
}

/** What the server keeps per live document it writes to. */
interface WriterState {
  /** A copy of the live document that server changes are made on first; null until needed, dropped when idle. */
  shadow: Y.Doc | null;
  /**
   * The Yjs client id server changes are written under: one of the server's own (model/clientIds.ts),
   * which the write guard refuses to any device, so nobody can take the clock of the next change.
   */
  clientId: number;
  idle: NodeJS.Timeout | null;
}

/**
 * The one write path for the server's own changes (sequence numbers, sealed segments, member
 * indexes, projections of Postgres): "sequenced means stored" (README.md, "How it works"). Hocuspocus
 * does not await `onChange`, so a change made on the live document is sent to clients (and to peer
 * instances) before anything could store it. Here a change is made on a shadow copy of the document
 * instead, captured as a Yjs update, appended to the update log (sharing group commit with client
 * updates), and only then applied to the live document, with an origin persistence skips. A change
 * that cannot be stored is never applied or sent: the call rejects and the caller derives it again
 * later (the sequencer retries, projections run again on the next load or change).
 *
 * The shadow is caught up with the live document by a state-vector diff before each change (cheap:
 * only what is new), so a burst of changes costs one copy of the document; it is dropped after
 * `idleMs` without server changes, so idle documents are not held twice in memory.
 */
export class ServerChanges {
  private readonly log: ChangeLog;
  private readonly idleMs: number;
  private readonly states = new WeakMap<Y.Doc, WriterState>();
  /** Server changes to a document, one after another: each is computed on what the last left. */
  private readonly queues = new SerialQueues<Y.Doc>();

  /** Told of each change stored (for the metrics). */
  private readonly onStored: (documentName: string) => void;

  constructor(log: ChangeLog, options: { idleMs?: number; onStored?: (documentName: string) => void } = {}) {
    this.log = log;
    this.idleMs = options.idleMs ?? 5_000;
    this.onStored = options.onStored ?? (() => {});
  }

  /**
   * Makes `change` (run on a copy of `document`) durable, then applies it to `document`. Resolves
   * with whether anything changed once it is stored and applied; rejects, leaving `document` as it
   * was, when it cannot be stored. Changes to one document run in the order they were asked for.
   */
  write(
    documentName: string,
    document: Y.Doc,
    change: (doc: Y.Doc) => void,
    context: unknown = {},
  ): Promise<boolean> {
    const state = this.stateOf(document);
    return this.queues.run(document, () => this.run(documentName, document, state, change, context));
  }

  private async run(
    documentName: string,
    document: Y.Doc,
    state: WriterState,
    change: (doc: Y.Doc) => void,
    context: unknown,
  ): Promise<boolean> {
    if (document.isDestroyed) throw new Error(`document ${documentName} was unloaded`);
    const shadow = this.catchUp(document, state);
    let update: Uint8Array | null = null;
    const capture = (part: Uint8Array) => {
      update = update ? Y.mergeUpdates([update, part]) : part;
    };
    shadow.on("update", capture);
    try {
      shadow.transact(() => change(shadow), "server");
    } catch (error) {
      // Yjs has no rollback: whatever the change did before it threw is in the shadow, so start afresh.
      this.discard(state, false);
      throw error;
    } finally {
      shadow.off("update", capture);
    }
    this.scheduleIdle(state);
    if (update === null) return false;
    try {
      await this.log.append(documentName, update);
    } catch (error) {
      // Not stored, so never applied. The commit may still have happened (the connection dropped
      // before its answer): a later change must not reuse these Yjs ids for something else.
      this.discard(state, true);
      throw error;
    }
    this.onStored(documentName);
    // Unloaded meanwhile: it is stored, and the next load reads it.
    if (!document.isDestroyed)
      Y.applyUpdate(document, update, {
        source: "local",
        context,
        stored: true,
      } satisfies StoredChangeOrigin);
    return true;
  }

  private stateOf(document: Y.Doc): WriterState {
    let state = this.states.get(document);
    if (!state) {
      state = { shadow: null, clientId: serverClientId(), idle: null };
      this.states.set(document, state);
    }
    return state;
  }

  /** The shadow, holding everything the live document holds now. */
  private catchUp(document: Y.Doc, state: WriterState): Y.Doc {
    if (!state.shadow) {
      // A guid of our own: Yjs would draw a random one (31 calls into the system's random source).
      const shadow = new Y.Doc({ gc: document.gc, guid: document.guid });
      shadow.clientID = state.clientId;
      Y.applyUpdate(shadow, Y.encodeStateAsUpdate(document));
      state.shadow = shadow;
    } else {
      Y.applyUpdate(state.shadow, Y.encodeStateAsUpdate(document, Y.encodeStateVector(state.shadow)));
    }
    return state.shadow;
  }

  private discard(state: WriterState, newId: boolean): void {
    state.shadow?.destroy();
    state.shadow = null;
    if (newId) state.clientId = serverClientId();
  }

  private scheduleIdle(state: WriterState): void {
    if (state.idle) clearTimeout(state.idle);
    state.idle = setTimeout(() => {
      state.idle = null;
      this.discard(state, false);
    }, this.idleMs);
    state.idle.unref();
  }
}
