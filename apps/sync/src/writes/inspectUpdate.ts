import * as Y from "yjs";

/**
 * Turns a Yjs update into the list of writes it would make to `doc`: for every item it inserts and
 * every live item it deletes, the root type and map key it belongs to, and its content. Rules then
 * judge the writes (see rules.ts) before the update is applied.
 *
 * Yjs does not encode an item's parent when the item has an origin (the parent is inferred from the
 * neighbour), so the location is resolved through the origin chain, looking first in the update
 * itself and then in the document.
 */
export interface Write {
  op: "insert" | "delete";
  /** The root type's name, or null when the item sits inside a nested type (which our schema never uses). */
  root: string | null;
  /** The map key for map entries, null for array elements. */
  key: string | null;
  /** The JSON values of a ContentAny item; null for any other kind of content. */
  values: unknown[] | null;
  /**
   * True when an inserted item is plain text (a Y.Text's characters), or characters that were typed
   * and deleted again before the update was sent (Yjs sends those without their content).
   */
  text?: boolean;
  /** Yjs client id that created the item. */
  client: number;
}

export interface InspectedUpdate {
  writes: Write[];
  /** Client ids of the items this update creates (for binding client ids to accounts). */
  clients: Set<number>;
  /** True when the update changes nothing the document does not already have. */
  noop: boolean;
}

export class UnresolvableUpdate extends Error {}

type Location = { root: string | null; key: string | null };

export function inspectUpdate(doc: Y.Doc, update: Uint8Array): InspectedUpdate {
  const decoded = Y.decodeUpdate(update);
  const store = doc.store;
  const incoming = new Map<number, Y.Item[]>();
  for (const struct of decoded.structs) {
    if (!(struct instanceof Y.Item)) continue;
    const list = incoming.get(struct.id.client) ?? [];
    list.push(struct);
    incoming.set(struct.id.client, list);
  }
  const findIncoming = (id: Y.ID): Y.Item | undefined =>
    incoming
      .get(id.client)
      ?.find((item) => id.clock >= item.id.clock && id.clock < item.id.clock + item.length);
  const isKnown = (id: Y.ID, length = 1) => id.clock + length <= Y.getState(store, id.client);

  const docLocation = (item: Y.Item): Location => {
    const parent = item.parent as Y.AbstractType<unknown> | null;
    if (!parent) return { root: null, key: null };
    const root = parent._item === null ? Y.findRootTypeKey(parent) : null;
    return { root, key: item.parentSub };
  };

  const locate = (item: Y.Item, depth = 0): Location => {
    if (depth > 10_000) throw new UnresolvableUpdate("origin chain too long");
    if (typeof item.parent === "string") return { root: item.parent, key: item.parentSub };
    if (item.parent !== null) return { root: null, key: null }; // nested under another item
    const neighbour = item.origin ?? item.rightOrigin;
    if (!neighbour) throw new UnresolvableUpdate("item without parent or neighbour");
    if (isKnown(neighbour)) {
      const struct = Y.getItem(store, neighbour);
      if (struct instanceof Y.Item) return docLocation(struct);
      throw new UnresolvableUpdate("item placed next to a garbage-collected struct");
    }
    const inUpdate = findIncoming(neighbour);
    if (!inUpdate || inUpdate === item) throw new UnresolvableUpdate("item refers to an unknown neighbour");
    return locate(inUpdate, depth + 1);
  };

  const writes: Write[] = [];
  const clients = new Set<number>();
  let noop = true;
  for (const [client, items] of incoming) {
    for (const item of items) {
      if (isKnown(item.id, item.length)) continue;
      noop = false;
      clients.add(client);
      const location = locate(item);
      const values = item.content instanceof Y.ContentAny ? item.content.arr : null;
      const text = item.content instanceof Y.ContentString || item.content instanceof Y.ContentDeleted;
      writes.push({ op: "insert", ...location, values, text, client });
    }
  }

  // Deletions: each deleted range that is still alive in the document (or is created by this same update).
  for (const [client, ranges] of decoded.ds.clients) {
    for (const range of ranges) {
      const end = range.clock + range.len;
      let clock = range.clock;
      const known = Math.min(end, Y.getState(store, client));
      while (clock < known) {
        const struct = Y.getItem(store, Y.createID(client, clock));
        if (struct instanceof Y.Item && !struct.deleted) {
          noop = false;
          const values = struct.content instanceof Y.ContentAny ? struct.content.arr : null;
          writes.push({ op: "delete", ...docLocation(struct), values, client });
        }
        clock = struct.id.clock + struct.length;
      }
      for (clock = Math.max(clock, range.clock); clock < end; ) {
        const item = findIncoming(Y.createID(client, clock));
        if (!item) break; // deleting what neither side has is a no-op
        const values = item.content instanceof Y.ContentAny ? item.content.arr : null;
        writes.push({ op: "delete", ...locate(item), values, client });
        clock = item.id.clock + item.length;
      }
    }
  }
  return { writes, clients, noop };
}
