import { MAX_CLOCK } from "@chat/model";
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
  /**
   * For plain text (ContentString): how many characters (UTF-16 units) this write adds to its Y.Text
   * (an insert) or takes away (a delete of live characters), so a text's final length is known
   * without applying the update.
   */
  length?: number;
  /** Yjs client id that created the item. */
  client: number;
  /**
   * An inserted item sent without its content: written and then replaced or removed before the
   * update went out (a read marker moved twice offline, a message edited and then deleted). In a map
   * such an item can only hide the entry's value, never set one, so rules judge it as a removal.
   */
  contentless?: boolean;
  /** An inserted item's first clock, how many clocks it spans, and the item it was inserted after. */
  clock?: number;
  span?: number;
  origin?: { client: number; clock: number } | null;
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

const isKnownRange = (store: Y.Doc["store"], id: Y.ID, length: number) =>
  id.clock + length <= Y.getState(store, id.client);

export function inspectUpdate(doc: Y.Doc, update: Uint8Array): InspectedUpdate {
  const decoded = Y.decodeUpdate(update);
  const store = doc.store;
  const incoming = new Map<number, Y.Item[]>();
  const firstClock = new Map<number, number>();
  for (const struct of decoded.structs) {
    // A Skip marks a hole in the update: Yjs would park everything after it as pending, forever
    // if the hole is never filled, and store it in every later snapshot.
    if (struct instanceof Y.Skip) throw new UnresolvableUpdate("the update has gaps");
    // lib0 cannot decode an integer past 2^53: one clock beyond it makes the document's state vector
    // unreadable for every client and for the server itself.
    if (!(struct.id.clock + struct.length <= MAX_CLOCK))
      throw new UnresolvableUpdate("a clock beyond what any device writes");
    if (!firstClock.has(struct.id.client)) firstClock.set(struct.id.client, struct.id.clock);
    if (struct instanceof Y.GC) {
      // A garbage-collected range is content-less clock space. Devices never send one (the schema
      // has no nested types whose deletion would collect their children): only a crafted update
      // does, to take clock space under any client id, or to run a clock past 2^53.
      if (!isKnownRange(store, struct.id, struct.length))
        throw new UnresolvableUpdate("garbage-collected ranges come from the server only");
      continue;
    }
    const list = incoming.get(struct.id.client) ?? [];
    list.push(struct);
    incoming.set(struct.id.client, list);
  }
  for (const [client, clock] of firstClock)
    if (clock > Y.getState(store, client))
      throw new UnresolvableUpdate("the update depends on changes the server does not have");
  // Structs of one client come in clock order: binary search, so a large update stays linear-ish.
  const findIncoming = (id: Y.ID): Y.Item | undefined => {
    const items = incoming.get(id.client);
    if (!items) return undefined;
    let low = 0;
    let high = items.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const item = items[middle]!;
      if (id.clock < item.id.clock) high = middle - 1;
      else if (id.clock >= item.id.clock + item.length) low = middle + 1;
      else return item;
    }
    return undefined;
  };
  const isKnown = (id: Y.ID, length = 1) => id.clock + length <= Y.getState(store, id.client);

  const docLocation = (item: Y.Item): Location => {
    const parent = item.parent as Y.AbstractType<unknown> | null;
    if (!parent) return { root: null, key: null };
    const root = parent._item === null ? Y.findRootTypeKey(parent) : null;
    return { root, key: item.parentSub };
  };

  // Where each item of the update lives. An offline backlog is one long chain (each message placed
  // after the previous one), so locations are resolved iteratively and remembered: linear, no
  // recursion depth to exhaust.
  const located = new Map<Y.Item, Location>();
  const locateOne = (item: Y.Item): Location | Y.Item => {
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
    return inUpdate;
  };
  const locate = (start: Y.Item): Location => {
    const chain: Y.Item[] = [];
    const seen = new Set<Y.Item>();
    let current = start;
    let location: Location | undefined = located.get(current);
    while (location === undefined) {
      if (seen.has(current)) throw new UnresolvableUpdate("items that refer to each other in a circle");
      seen.add(current);
      chain.push(current);
      const next = locateOne(current);
      if (next instanceof Y.Item) {
        current = next;
        location = located.get(current);
      } else location = next;
    }
    for (const item of chain) located.set(item, location);
    return location;
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
      // Yjs integrates only the part past the clock it already has (an overlapping item is cut).
      const fresh = item.length - Math.max(0, Y.getState(store, client) - item.id.clock);
      const length = item.content instanceof Y.ContentString ? fresh : undefined;
      const contentless = item.content instanceof Y.ContentDeleted;
      const origin = item.origin ? { client: item.origin.client, clock: item.origin.clock } : null;
      writes.push({
        op: "insert",
        ...location,
        values,
        text,
        length,
        client,
        contentless,
        clock: item.id.clock,
        span: item.length,
        origin,
      });
    }
  }

  // Deletions: each deleted range that is still alive in the document (or is created by this same update).
  for (const [client, ranges] of decoded.ds.clients) {
    for (const range of mergeRanges(ranges)) {
      const end = range.clock + range.len;
      let clock = range.clock;
      const known = Math.min(end, Y.getState(store, client));
      while (clock < known) {
        const struct = Y.getItem(store, Y.createID(client, clock));
        const structEnd = struct.id.clock + struct.length;
        if (struct instanceof Y.Item && !struct.deleted) {
          noop = false;
          const values = struct.content instanceof Y.ContentAny ? struct.content.arr : null;
          const length =
            struct.content instanceof Y.ContentString ? Math.min(known, structEnd) - clock : undefined;
          writes.push({ op: "delete", ...docLocation(struct), values, length, client });
        }
        clock = structEnd;
      }
      for (clock = Math.max(clock, range.clock); clock < end; ) {
        const item = findIncoming(Y.createID(client, clock));
        // Yjs would keep such a deletion pending and apply it to whatever later takes that clock:
        // another device's future messages.
        if (!item) throw new UnresolvableUpdate("the update deletes changes the server does not have");
        const itemEnd = item.id.clock + item.length;
        const values = item.content instanceof Y.ContentAny ? item.content.arr : null;
        const length = item.content instanceof Y.ContentString ? Math.min(end, itemEnd) - clock : undefined;
        writes.push({ op: "delete", ...locate(item), values, length, client });
        clock = itemEnd;
      }
    }
  }
  return { writes, clients, noop };
}

/**
 * A delete set's ranges of one client, sorted and with overlaps merged: a crafted update could list
 * the same characters twice, and each deleted character must be counted once.
 */
function mergeRanges(ranges: readonly { clock: number; len: number }[]): { clock: number; len: number }[] {
  const sorted = [...ranges].filter((r) => r.len > 0).sort((a, b) => a.clock - b.clock);
  const merged: { clock: number; len: number }[] = [];
  for (const range of sorted) {
    const last = merged[merged.length - 1];
    if (last && range.clock <= last.clock + last.len)
      last.len = Math.max(last.len, range.clock + range.len - last.clock);
    else merged.push({ clock: range.clock, len: range.len });
  }
  return merged;
}

const inspected = new WeakMap<Uint8Array, { doc: Y.Doc; result: InspectedUpdate }>();

/**
 * `inspectUpdate`, decoded once per incoming update: the write guard and persistence both look at
 * each one (Hocuspocus hands every beforeSync hook the same payload), and decoding is most of the
 * cost. The document may have gained what the update holds in between (another connection sent the
 * same change); then persistence stores it once more, which is harmless.
 */
export function inspectOnce(doc: Y.Doc, update: Uint8Array): InspectedUpdate {
  const known = inspected.get(update);
  if (known?.doc === doc) return known.result;
  const result = inspectUpdate(doc, update);
  inspected.set(update, { doc, result });
  return result;
}
