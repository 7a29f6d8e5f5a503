import { DIRECTORY_DOC, DIRECTORY_PRESENCE_PACE, type OpenRefusal, paceAwareness } from "@chat/model";
import { HocuspocusProvider, type HocuspocusProviderWebsocket, WebSocketStatus } from "@hocuspocus/provider";
import { type Accessor, createSignal, type Signal } from "solid-js";
import { Awareness, removeAwarenessStates } from "y-protocols/awareness";
import * as Y from "yjs";
import { attachLocalStore, type LocalStore } from "../device/localStore";
import { createReopener, documentClose } from "./documentCloses";

/**
 * The document registry: one Y.Doc (with its provider on the shared socket and its local store) per
 * document name, however many components use it. `open` counts a reference and `release` gives it
 * back; a document nobody holds is closed after a short linger, so switching back to a room is
 * instant and a quick close-and-reopen never races on the server.
 */

/** Why the server refused a document (model protocol.ts, docs/api.md), or another reason it sent. */
export type Refusal = OpenRefusal | (string & {});

export interface DocHandle {
  readonly name: string;
  readonly doc: Y.Doc;
  /** True once the server and this device have exchanged the document's state. */
  readonly synced: Accessor<boolean>;
  /** True once what the device stores for the document is in `doc` (IndexedDB, before any network). */
  readonly loaded: Accessor<boolean>;
  /** Resolves when `loaded` turns true. */
  readonly whenLoaded: Promise<void>;
  /** Resolves once every change made to `doc` so far is in the device copy (IndexedDB). */
  flushed(): Promise<void>;
  /** Set when the server refused to open the document; cleared if it later accepts. */
  readonly refusal: Accessor<Refusal | null>;
  /**
   * Set while the server has closed this document alone (not the socket), in its words, and the
   * document is being opened again; cleared once it is synced again.
   */
  readonly interruption: Accessor<string | null>;
  /**
   * Set, in the server's words, once the server closed the document because the person left the room
   * or was removed from it (`membership-ended`): it no longer syncs and is never opened again by
   * itself; what is in `doc` stays readable until it is released.
   */
  readonly ended: Accessor<string | null>;
  /** Presence for this document (who is here, who is typing), shared with everyone who has it open. */
  readonly awareness: Awareness;
  /** Gives back this reference; the document closes when nobody holds it any more. */
  release(): void;
}

interface Entry {
  name: string;
  doc: Y.Doc;
  awareness: Awareness;
  /** Made once the device copy is in the document (null until then, or if closed first). */
  provider: HocuspocusProvider | null;
  store: LocalStore;
  synced: Accessor<boolean>;
  loaded: Accessor<boolean>;
  refusal: Accessor<Refusal | null>;
  interruption: Accessor<string | null>;
  ended: Accessor<string | null>;
  /** Stops a pending reopen. */
  stopReopening: () => void;
  refs: number;
  /** Undoes `onDocument` for this document. */
  forget: (() => void) | undefined;
  closeTimer: ReturnType<typeof setTimeout> | null;
}

export interface DocRegistry {
  open(name: string): DocHandle;
  /** Closes every document at once (sign-out). */
  closeAll(): void;
  /**
   * How many times `name` was opened afresh after a refused write (reactive): a holder that reads it
   * before `open` reopens when it moves, and gets the server's copy.
   */
  renewals(name: string): number;
  /** Names of open documents, for debugging. */
  openNames(): string[];
  /**
   * How many things changed on this device (edits, deletions, read positions, settings) the server
   * has not confirmed yet, across open documents. Appended messages are counted by sequencing instead.
   */
  pendingChanges: Accessor<number>;
}

/** How long a document nobody holds stays open. */
const LINGER_MS = 15_000;

export function createDocRegistry(options: {
  socket: HocuspocusProviderWebsocket;
  /** Separates device copies of different people (the user id). */
  scope: string;
  onRefused?: (name: string, reason: Refusal) => void;
  /** Called for every document when it opens; the function it returns runs when it closes. */
  onDocument?: (name: string, doc: Y.Doc) => (() => void) | undefined;
  /**
   * The server refused a change this device made to the document (4403 forbidden-write): the
   * change has been removed from the device, and the document is renewed (`renewals`): holders that
   * follow it get the server's copy; the others keep showing the change until the app reloads.
   */
  onWriteRefused?: (name: string, explanation: string) => void;
  /** The person left the room of this document or was removed from it (`membership-ended`). */
  onMembershipEnded?: (name: string, explanation: string) => void;
}): DocRegistry {
  const entries = new Map<string, Entry>();
  /**
   * After a refused write the document is opened afresh from the server (its device copy was
   * dropped), and each name's version moves on: a reactive holder that reads it (`renewals`, as
   * `useDocument` does, so every open room) reopens. Holders outside a reactive scope keep the retired copy,
   * which no longer syncs, until they release it (the alert offers a reload).
   */
  const versions = new Map<string, Signal<number>>();
  const versionOf = (name: string): Signal<number> => {
    let version = versions.get(name);
    if (!version) {
      version = createSignal(0);
      versions.set(name, version);
    }
    return version;
  };
  /** Entries replaced by a fresh copy that someone still holds. */
  const retired = new Set<Entry>();
  const [pendingChanges, setPendingChanges] = createSignal(0);
  const recountPending = () => {
    let total = 0;
    for (const entry of entries.values()) total += entry.store.pendingKeys().size;
    setPendingChanges(total);
  };

  function create(name: string): Entry {
    const doc = new Y.Doc();
    const [synced, setSynced] = createSignal(false);
    const [refusal, setRefusal] = createSignal<Refusal | null>(null);
    const [interruption, setInterruption] = createSignal<string | null>(null);
    const [ended, setEnded] = createSignal<string | null>(null);
    const [loaded, setLoaded] = createSignal(false);
    const store = attachLocalStore(options.scope, name, doc, () => queueMicrotask(recountPending));
    const awareness = new Awareness(doc);
    // Everyone has the directory open: its presence is renewed rarely (model/presencePace.ts).
    if (name === DIRECTORY_DOC) paceAwareness(awareness, DIRECTORY_PRESENCE_PACE, removeAwarenessStates);
    const entry: Entry = {
      name,
      doc,
      awareness,
      provider: null,
      store,
      synced,
      loaded,
      refusal,
      interruption,
      ended,
      stopReopening: () => {},
      refs: 0,
      closeTimer: null,
      forget: undefined,
    };
    // The provider is made, and attached (on a shared socket it never connects until then), once the
    // device copy is in the document: the first sync then asks only for what the device lacks, and
    // applying the stored rows costs no update encoding for a provider listener (a large part of a
    // cold open) and sends nothing back to the server as if it were new.
    void store.loaded.then(() => {
      setLoaded(true);
      if (doc.isDestroyed) return;
      // Opening again on the same socket is what the provider does for every document when the socket
      // reconnects; a document the server closed alone is not in that list, so it is done here.
      const reopener = createReopener(() => {
        if (entry.provider !== provider || doc.isDestroyed || provider.isAuthenticated) return;
        if (options.socket.status !== WebSocketStatus.Connected) return; // the reconnect reopens it
        void provider.sendToken().then(() => provider.startSync());
      });
      entry.stopReopening = reopener.cancel;
      const provider: HocuspocusProvider = new HocuspocusProvider({
        websocketProvider: options.socket,
        name,
        document: doc,
        awareness,
        // The socket is authenticated by the session cookie; the server ignores this token.
        token: "session",
        // Each provider tags its messages with its own session id, so closing a document and opening
        // it again on the same socket cannot let the old provider's close reach the new one.
        sessionAwareness: true,
        onAuthenticated: () => setRefusal(null),
        onAuthenticationFailed: ({ reason }) => {
          setRefusal(reason);
          options.onRefused?.(name, reason);
          // The server could not reach its database: it may a moment later.
          if (reason === "unavailable") reopener.closed();
        },
        onSynced: ({ state }) => {
          // The provider also says "synced" when the acknowledgement of a change sent before a close
          // of this document arrives after it: the document is not open until the server has let it
          // in again, and the provider must say "synced" once more when it has (it says so only on a
          // change of state).
          if (state && !provider.isAuthenticated) {
            provider.synced = false;
            return;
          }
          setSynced(state);
          if (state) {
            setInterruption(null);
            reopener.opened();
          }
          if (state && provider.unsyncedChanges === 0) store.confirm();
        },
        // Every change sent so far has been acknowledged, and the server stores before it acknowledges.
        onUnsyncedChanges: ({ number }) => {
          if (number === 0 && provider.isSynced) store.confirm();
        },
        onClose: ({ event }) => {
          setSynced(false);
          // The socket's status is already updated when its own close reaches the documents.
          const close = documentClose(
            event.reason ?? "",
            options.socket.status === WebSocketStatus.Connected,
          );
          if (close.kind === "socket") return;
          if (close.kind === "membership-ended") {
            // Reopening would be refused (a private room) or would quietly turn the room into a
            // read-only preview (a public room) under the notice that they are out, so the provider goes: not even the socket's reconnect reopens it. The
            // device copy is dropped rather than kept readable offline: the device holds the rooms its
            // person belongs to, no more (a removed person keeps no copy that outlives this screen),
            // and a later open of the same room, after being added again, starts from the server's.
            // The open screen keeps what `doc` holds in memory until it lets the document go.
            reopener.cancel();
            setInterruption(null);
            setEnded(close.explanation);
            queueMicrotask(() => {
              provider.destroy();
              if (entry.provider === provider) entry.provider = null;
            });
            void store
              .discardDeviceCopy()
              .catch((error) => console.error(`cannot drop the device copy of ${name}`, error));
            options.onMembershipEnded?.(name, close.explanation);
            return;
          }
          if (close.kind === "membership-began") {
            // The read-only preview of a public room closed because the person is in it now: opened
            // again, the server lets it write (model protocol.ts).
            reopener.now();
            return;
          }
          if (close.kind === "reopen") {
            // Left closed, the document would look open and never update again: say so, open it again.
            setInterruption(close.explanation);
            reopener.closed();
            return;
          }
          // Sending it again would only be refused again: stop syncing this copy, forget the change.
          const { explanation } = close;
          reopener.cancel();
          queueMicrotask(() => {
            provider.destroy();
            if (entry.provider === provider) entry.provider = null;
          });
          void store
            .discardDeviceCopy()
            .catch((error) => console.error(`cannot drop the refused change to ${name}`, error))
            .finally(() => {
              options.onWriteRefused?.(name, explanation);
              renew(name, entry);
            });
        },
      });
      entry.provider = provider;
      store.setRemoteOrigin(provider);
      provider.attach();
    });
    entry.forget = options.onDocument?.(name, doc);
    return entry;
  }

  /** Retires `entry` so that the next `open(name)` makes a fresh copy, and tells reactive holders. */
  function renew(name: string, entry: Entry): void {
    if (entries.get(name) !== entry) return; // closed meanwhile
    entries.delete(name);
    if (entry.refs === 0) close(name, entry);
    else retired.add(entry);
    const [version, setVersion] = versionOf(name);
    setVersion(version() + 1);
  }

  function close(name: string, entry: Entry): void {
    if (entry.closeTimer) clearTimeout(entry.closeTimer);
    if (entries.get(name) === entry) entries.delete(name);
    retired.delete(entry);
    entry.forget?.();
    entry.stopReopening();
    if (entry.provider) entry.provider.destroy();
    else entry.awareness.destroy();
    entry.store.destroy();
    queueMicrotask(recountPending);
    entry.doc.destroy();
  }

  return {
    open(name) {
      let entry = entries.get(name);
      if (!entry) {
        entry = create(name);
        entries.set(name, entry);
      }
      if (entry.closeTimer) {
        clearTimeout(entry.closeTimer);
        entry.closeTimer = null;
      }
      entry.refs++;
      const held = entry;
      let released = false;
      return {
        name,
        doc: held.doc,
        synced: held.synced,
        loaded: held.loaded,
        whenLoaded: held.store.loaded,
        flushed: () => held.store.flushed(),
        refusal: held.refusal,
        interruption: held.interruption,
        ended: held.ended,
        awareness: held.awareness,
        release() {
          if (released) return;
          released = true;
          held.refs--;
          if (held.refs > 0) return;
          if (retired.has(held)) return close(name, held);
          if (entries.get(name) !== held) return;
          // Nothing to linger for: reopening an ended membership must start afresh (and be refused).
          if (held.ended() !== null) return close(name, held);
          held.closeTimer = setTimeout(() => {
            if (held.refs === 0 && entries.get(name) === held) close(name, held);
          }, LINGER_MS);
        },
      };
    },
    closeAll() {
      for (const [name, entry] of [...entries]) close(name, entry);
      for (const entry of [...retired]) close(entry.name, entry);
    },
    openNames() {
      return [...entries.keys()];
    },
    renewals: (name) => versionOf(name)[0](),
    pendingChanges,
  };
}
