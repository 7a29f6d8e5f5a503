import { Awareness } from "y-protocols/awareness";
import * as Y from "yjs";
import type { DocHandle, DocRegistry } from "./docs";

/**
 * For tests: a document registry as the app's own hands them out (real Y.Docs, counted references),
 * with no socket and no device store: what would arrive over the socket is written into the same
 * documents by the test. `refs` tells how many holders a document has.
 */
export function memoryRegistry() {
  const docs = new Map<string, { doc: Y.Doc; awareness: Awareness; refs: number }>();
  const registry: DocRegistry = {
    open(name) {
      let entry = docs.get(name);
      if (!entry) {
        const doc = new Y.Doc();
        entry = { doc, awareness: new Awareness(doc), refs: 0 };
        docs.set(name, entry);
      }
      entry.refs++;
      const held = entry;
      let released = false;
      const handle: DocHandle = {
        name,
        doc: held.doc,
        synced: () => true,
        refusal: () => null,
        interruption: () => null,
        ended: () => null,
        awareness: held.awareness,
        loaded: () => true,
        whenLoaded: Promise.resolve(),
        flushed: () => Promise.resolve(),
        release() {
          if (!released) held.refs--;
          released = true;
        },
      };
      return handle;
    },
    closeAll() {},
    pendingChanges: () => 0,
    openNames: () => [...docs.entries()].filter(([, entry]) => entry.refs > 0).map(([name]) => name),
    renewals: () => 0,
  };
  const doc = (name: string) => registry.open(name).doc;
  return { registry, doc, refs: (name: string) => docs.get(name)?.refs ?? 0 };
}
