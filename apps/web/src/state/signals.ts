import { type Accessor, createMemo, createSignal, onCleanup } from "solid-js";
import type * as Y from "yjs";
import type { DocHandle, DocRegistry } from "../sync/docs";

/**
 * Solid glue for Yjs: hold a document while a component needs it, and turn model reads into signals
 * that update when the model's observer fires. Observers and references are released on cleanup.
 */

/**
 * Opens the document named by `name()` (none while it is null) and releases it when the name changes
 * or on unmount, or when the registry renews it after a refused write (then it opens the fresh copy).
 */
export function useDocument(
  registry: DocRegistry,
  name: Accessor<string | null>,
): Accessor<DocHandle | null> {
  // Only a different name reopens: re-running with the same name would close and reopen the document.
  const stableName = createMemo(name);
  return createMemo(() => {
    const current = stableName();
    if (!current) return null;
    registry.renewals(current); // a copy renewed after a refused write is opened again
    const handle = registry.open(current);
    onCleanup(() => handle.release());
    return handle;
  });
}

/**
 * A signal of `read(doc)`, re-read whenever `observe` reports a change. Call it inside a reactive scope
 * (a component or a memo): the observer is removed when that scope is cleaned up.
 */
export function observed<T>(
  doc: Y.Doc,
  observe: (doc: Y.Doc, callback: () => void) => () => void,
  read: (doc: Y.Doc) => T,
): Accessor<T> {
  const [value, setValue] = createSignal<T>(read(doc), { equals: false });
  const stop = observe(doc, () => setValue(() => read(doc)));
  onCleanup(stop);
  return value;
}

/**
 * Like `observed`, for a document that may come and go (`handle()` null): yields `fallback` while there
 * is none, and re-subscribes when the handle changes.
 */
export function observedIn<T>(
  handle: Accessor<DocHandle | null>,
  observe: (doc: Y.Doc, callback: () => void) => () => void,
  read: (doc: Y.Doc) => T,
  fallback: T,
): Accessor<T> {
  const inner = createMemo(() => {
    const current = handle();
    return current ? observed(current.doc, observe, read) : () => fallback;
  });
  return () => inner()();
}

/**
 * Keeps the previous object for every item that did not change (same key and `same`), so `<For>`
 * re-renders only what changed — and a focused link or message keeps its DOM node and its focus.
 */
export function reuseUnchanged<T>(
  previous: readonly T[],
  next: readonly T[],
  key: (item: T) => string,
  same: (a: T, b: T) => boolean,
): T[] {
  const byKey = new Map(previous.map((item) => [key(item), item]));
  return next.map((item) => {
    const old = byKey.get(key(item));
    return old !== undefined && same(old, item) ? old : item;
  });
}
