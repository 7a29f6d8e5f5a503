import { createSearchIndex, type SearchDocument, type SearchIndex } from "./search.ts";
import type { Columns, Internals } from "./searchExecutor.ts";

/**
 * A search shard that no longer changes (a sealed history segment, or one loaded from the device), in
 * flat arrays instead of MiniSearch's trees of maps: MiniSearch spends a few hundred bytes of maps on
 * every (shard, word) pair, which at a million messages in 500 shards is over a gigabyte; here a pair
 * costs a few bytes and a posting three. It is also the persisted form (plain arrays, no tree to
 * rebuild on load). A change to it (an edit or deletion of an old message) thaws it back into a
 * MiniSearch index first.
 */
export interface FrozenShard {
  /** Messages by local number. */
  ids: string[];
  texts: string[];
  /** A reply's thread root, or null. */
  threadRoots: Array<string | null>;
  /** The filter and scoring columns, by local number (all live). */
  columns: Columns;
  /**
   * Words in code-unit order (found by binary search), each a range of `docs`/`frequencies` from
   * `starts[i]` to `starts[i + 1]`, in message order.
   */
  terms: string[];
  starts: Int32Array;
  docs: Uint16Array;
  frequencies: Uint16Array;
}

const FLAG_LINK = 1;
const FLAG_FILE = 2;
const FLAG_IMAGE = 4;

function emptyColumns(roomId: string, size: number): Columns {
  return {
    version: "frozen",
    live: new Uint8Array(size).fill(1),
    length: new Float64Array(size),
    createdAt: new Float64Array(size),
    room: new Int32Array(size),
    author: new Int32Array(size),
    link: new Uint8Array(size),
    file: new Uint8Array(size),
    image: new Uint8Array(size),
    rooms: [roomId],
    roomCodes: new Map([[roomId, 0]]),
    authors: [],
    authorCodes: new Map(),
  };
}

function authorCode(columns: Columns, author: string): number {
  let found = columns.authorCodes.get(author);
  if (found === undefined) {
    found = columns.authors.length;
    columns.authors.push(author);
    columns.authorCodes.set(author, found);
  }
  return found;
}

/** Freezes a MiniSearch index of one room's segment (its live messages only). */
export function freezeIndex(index: SearchIndex, roomId: string): FrozenShard {
  const internals = index as unknown as Internals;
  const fieldId = internals._fieldIds.text!;
  const local = new Map<number, number>();
  const ids: string[] = [];
  const texts: string[] = [];
  const threadRoots: Array<string | null> = [];
  // Numbered in id order, so a message is found by binary search (`frozenDoc`).
  const byId = [...internals._documentIds].sort((a, b) => ((a[1] as string) < (b[1] as string) ? -1 : 1));
  for (const [short, id] of byId) {
    local.set(short, ids.length);
    ids.push(id as string);
  }
  const columns = emptyColumns(roomId, ids.length);
  for (const [short, doc] of local) {
    const stored = internals._storedFields.get(short) ?? {};
    texts[doc] = stored.text as string;
    threadRoots[doc] = typeof stored.threadRoot === "string" ? stored.threadRoot : null;
    columns.length[doc] = internals._fieldLength.get(short)?.[fieldId] ?? 0;
    columns.createdAt[doc] = stored.createdAt as number;
    columns.author[doc] = authorCode(columns, stored.author as string);
    columns.link[doc] = stored.link === true ? 1 : 0;
    columns.file[doc] = stored.file === true ? 1 : 0;
    columns.image[doc] = stored.image === true ? 1 : 0;
  }
  const terms: string[] = [];
  const starts: number[] = [];
  const docs: number[] = [];
  const frequencies: number[] = [];
  const entries = [
    ...(
      internals._index as unknown as {
        entries(): Iterable<[string, Map<number, Map<number, number>>]>;
      }
    ).entries(),
  ].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (const [term, data] of entries) {
    const postings = data.get(fieldId);
    if (!postings) continue;
    const start = docs.length;
    // Discarded messages stay in MiniSearch's postings until a vacuum: only live ones are kept.
    const kept: Array<[number, number]> = [];
    for (const [short, frequency] of postings) {
      const doc = local.get(short);
      if (doc !== undefined) kept.push([doc, Math.min(frequency, 65_535)]);
    }
    if (kept.length === 0) continue;
    // In message order, so whether a message has the word is a binary search (`frozenFrequency`).
    kept.sort((a, b) => a[0] - b[0]);
    for (const [doc, frequency] of kept) {
      docs.push(doc);
      frequencies.push(frequency);
    }
    terms.push(term);
    starts.push(start);
  }
  starts.push(docs.length);
  return {
    ids,
    texts,
    threadRoots,
    columns,
    terms,
    starts: Int32Array.from(starts),
    docs: Uint16Array.from(docs),
    frequencies: Uint16Array.from(frequencies),
  };
}

/** A message's local number, or -1 when the shard does not hold it. */
export function frozenDoc(frozen: FrozenShard, id: string): number {
  return search(frozen.ids, id);
}

function search(sorted: readonly string[], value: string): number {
  let low = 0;
  let high = sorted.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const at = sorted[mid]!;
    if (at === value) return mid;
    if (at < value) low = mid + 1;
    else high = mid - 1;
  }
  return -1;
}

/** Where a word's postings are (an index into `terms`), or -1 when the shard does not have it. */
export function frozenTerm(frozen: FrozenShard, term: string): number {
  return search(frozen.terms, term);
}

/** The range of `terms` that start with `prefix` (the list is sorted, so they are together). */
export function frozenPrefixRange(frozen: FrozenShard, prefix: string): [number, number] {
  const firstAtLeast = (value: string) => {
    let low = 0;
    let high = frozen.terms.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (frozen.terms[mid]! < value) low = mid + 1;
      else high = mid;
    }
    return low;
  };
  const from = firstAtLeast(prefix);
  let to = from;
  while (to < frozen.terms.length && frozen.terms[to]!.startsWith(prefix)) to++;
  return [from, to];
}

/** How often the word at `at` (from `frozenTerm`) occurs in a message: 0 when it does not. */
export function frozenFrequency(frozen: FrozenShard, at: number, doc: number): number {
  const { docs } = frozen;
  let low = frozen.starts[at]!;
  let high = frozen.starts[at + 1]! - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const found = docs[mid]!;
    if (found === doc) return frozen.frequencies[mid]!;
    if (found < doc) low = mid + 1;
    else high = mid - 1;
  }
  return 0;
}

/** A frozen shard's messages as documents again (to thaw it). */
export function frozenDocuments(frozen: FrozenShard): SearchDocument[] {
  const { columns } = frozen;
  return frozen.ids.map((id, doc) => {
    const document: SearchDocument = {
      id,
      roomId: columns.rooms[0]!,
      author: columns.authors[columns.author[doc]!]!,
      createdAt: columns.createdAt[doc]!,
      text: frozen.texts[doc]!,
      link: columns.link[doc] === 1,
    };
    if (columns.file[doc] === 1) {
      document.file = true;
      document.image = columns.image[doc] === 1;
    }
    const root = frozen.threadRoots[doc];
    if (root !== null && root !== undefined) document.threadRoot = root;
    return document;
  });
}

/** Back into a MiniSearch index, to take a change. */
export function thaw(frozen: FrozenShard): SearchIndex {
  const index = createSearchIndex();
  index.addAll(frozenDocuments(frozen));
  return index;
}

/** The stored fields of one message, as a hit needs them. */
export function frozenStored(frozen: FrozenShard, doc: number): Record<string, unknown> {
  const { columns } = frozen;
  const stored: Record<string, unknown> = {
    roomId: columns.rooms[0],
    author: columns.authors[columns.author[doc]!],
    createdAt: columns.createdAt[doc],
    text: frozen.texts[doc],
  };
  const root = frozen.threadRoots[doc];
  if (root !== null && root !== undefined) stored.threadRoot = root;
  return stored;
}

/** The persisted form: plain JSON arrays. */
export function frozenToJSON(frozen: FrozenShard) {
  const { columns } = frozen;
  return {
    ids: frozen.ids,
    texts: frozen.texts,
    threadRoots: frozen.threadRoots,
    createdAt: Array.from(columns.createdAt),
    length: Array.from(columns.length),
    authors: columns.authors,
    author: Array.from(columns.author),
    flags: Array.from(
      columns.link,
      (link, doc) => link * FLAG_LINK + columns.file[doc]! * FLAG_FILE + columns.image[doc]! * FLAG_IMAGE,
    ),
    terms: frozen.terms,
    starts: Array.from(frozen.starts),
    docs: Array.from(frozen.docs),
    frequencies: Array.from(frozen.frequencies),
  };
}

export type FrozenJSON = ReturnType<typeof frozenToJSON>;

/** Reads the persisted form back; throws when it is not whole (the caller rebuilds the shard). */
export function frozenFromJSON(json: FrozenJSON, roomId: string): FrozenShard {
  const size = json.ids.length;
  if (
    json.texts.length !== size ||
    json.createdAt.length !== size ||
    json.length.length !== size ||
    json.author.length !== size ||
    json.flags.length !== size ||
    json.starts.length !== json.terms.length + 1 ||
    json.docs.length !== json.frequencies.length
  )
    throw new Error("a damaged search shard");
  const columns = emptyColumns(roomId, size);
  columns.createdAt.set(json.createdAt);
  columns.length.set(json.length);
  columns.author.set(json.author);
  for (const author of json.authors) authorCode(columns, author);
  json.flags.forEach((flags, doc) => {
    columns.link[doc] = flags & FLAG_LINK ? 1 : 0;
    columns.file[doc] = flags & FLAG_FILE ? 1 : 0;
    columns.image[doc] = flags & FLAG_IMAGE ? 1 : 0;
  });
  return {
    ids: json.ids,
    texts: json.texts,
    threadRoots: json.threadRoots ?? json.ids.map(() => null),
    columns,
    terms: json.terms,
    starts: Int32Array.from(json.starts),
    docs: Uint16Array.from(json.docs),
    frequencies: Uint16Array.from(json.frequencies),
  };
}
