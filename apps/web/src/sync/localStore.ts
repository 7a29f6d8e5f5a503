import type * as Y from "yjs";

/**
 * The device copy of a document. Offline persistence (y-indexeddb) arrives in a later issue; it plugs in
 * here, and only here: return a store whose `loaded` resolves once the cached state is in `doc`.
 * `scope` separates people who share a browser (it is the signed-in user's id).
 */
export interface LocalStore {
  /** Resolves once whatever the device holds for this document has been applied to it. */
  readonly loaded: Promise<void>;
  destroy(): void;
}

export function attachLocalStore(_scope: string, _name: string, _doc: Y.Doc): LocalStore {
  return { loaded: Promise.resolve(), destroy() {} };
}
