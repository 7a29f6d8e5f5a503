import type { MessageView, RoomKind, SearchRequest } from "@chat/model";
import type { ListLimits, SearchResults } from "@chat/model/search";

/** Messages between the page and the search worker (searchWorker.ts). */

/**
 * A message as the feeder hands it over: what `listMessages` returns (with `deleted` once edits and
 * deletions exist), or just an id marked deleted for a message that is no longer listed at all.
 */
export type FedMessage = (MessageView & { deleted?: boolean }) | { id: string; deleted: true };

/**
 * Names of the rooms and people the index mentions, kept with it: a cold start offline can head results
 * and resolve `from:`/`in:` before the person's documents have loaded.
 */
export interface KnownNames {
  rooms: Array<{ id: string; name: string; kind: RoomKind; path: string }>;
  users: Array<{ id: string; username: string }>;
}

export type ToSearchWorker =
  /** Load the person's persisted index (`store` names their IndexedDB database); sent once, first. */
  | { type: "open"; store: string }
  /**
   * The current messages of one history segment (`segment` is its number): new and changed ones are
   * (re-)indexed in that segment's shard, deleted ones removed.
   */
  | { type: "messages"; roomId: string; segment: number; messages: FedMessage[] }
  /** The rooms the person may read: everything else is removed (left a private room, lost access). */
  | { type: "keep-rooms"; roomIds: string[] }
  | { type: "query"; id: number; request: SearchRequest; limits: ListLimits }
  | { type: "names"; names: KnownNames }
  /** Persist now (the page is being hidden). */
  | { type: "flush" };

export interface SearchWorkerStatus {
  /** The persisted index has been loaded (or found missing) and queries are answered. */
  ready: boolean;
  /** Messages in the index. */
  documents: number;
  /** Messages received but not indexed yet. */
  pending: number;
  /** Stored shards (history segments) not loaded yet: results may lack their matches meanwhile. */
  olderLoading: number;
  /** Set when the device copy could not be read or written; search still works from memory. */
  storageProblem: string | null;
}

export type FromSearchWorker =
  | { type: "status"; status: SearchWorkerStatus }
  /** The names saved with the index, sent once after it loaded. */
  | { type: "names"; names: KnownNames }
  /** `olderLoading`: stored shards of older history were still loading, so matches in them may be missing. */
  | { type: "results"; id: number; results: SearchResults; olderLoading: boolean; ms: number }
  | { type: "failed"; id: number; message: string };
