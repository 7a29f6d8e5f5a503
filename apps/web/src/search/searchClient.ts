import type { SearchRequest } from "@chat/model";
import type { ListLimits, SearchResults } from "@chat/model/search";
import { type Accessor, createSignal } from "solid-js";
import { searchStoreName } from "../device/searchIndexStore";
import type {
  FedMessage,
  FromSearchWorker,
  KnownNames,
  SearchWorkerStatus,
  ToSearchWorker,
} from "./protocol";

/**
 * The page's side of the search worker: starts it for one person, feeds it messages, asks it queries
 * (each answered by a promise; an answer to an older query is still delivered, the caller keeps the
 * latest), and exposes its progress as a signal.
 */
export interface SearchAnswer {
  results: SearchResults;
  /** Older history was still loading into search: matches in it may be missing. */
  olderLoading: boolean;
  ms: number;
}

export interface SearchClient {
  readonly status: Accessor<SearchWorkerStatus>;
  /** Set when the worker itself failed: search is unavailable until a reload. */
  readonly broken: Accessor<string | null>;
  /** Names saved with the index (null until it has loaded). */
  readonly savedNames: Accessor<KnownNames | null>;
  query(request: SearchRequest, limits?: ListLimits): Promise<SearchAnswer>;
  messages(roomId: string, segment: number, messages: FedMessage[]): void;
  keepRooms(roomIds: string[]): void;
  saveNames(names: KnownNames): void;
  flush(): void;
  destroy(): void;
}

export function createSearchClient(userId: string): SearchClient {
  const worker = new Worker(new URL("./searchWorker.ts", import.meta.url), {
    type: "module",
    name: "search",
  });
  const [status, setStatus] = createSignal<SearchWorkerStatus>({
    ready: false,
    documents: 0,
    pending: 0,
    olderLoading: 0,
    storageProblem: null,
  });
  const [broken, setBroken] = createSignal<string | null>(null);
  const [savedNames, setSavedNames] = createSignal<KnownNames | null>(null);
  const waiting = new Map<
    number,
    { resolve: (answer: SearchAnswer) => void; reject: (error: Error) => void }
  >();
  let nextId = 1;
  const send = (message: ToSearchWorker) => worker.postMessage(message);

  worker.onmessage = (event: MessageEvent<FromSearchWorker>) => {
    const message = event.data;
    if (message.type === "status") {
      setStatus(message.status);
      return;
    }
    if (message.type === "names") {
      setSavedNames(message.names);
      return;
    }
    const pending = waiting.get(message.id);
    if (!pending) return;
    waiting.delete(message.id);
    if (message.type === "results")
      pending.resolve({ results: message.results, olderLoading: message.olderLoading, ms: message.ms });
    else pending.reject(new Error(message.message));
  };
  worker.onerror = (event) => {
    const reason = event.message || "the search worker stopped";
    setBroken(`Search is unavailable: ${reason}. Reload the page to try again.`);
    for (const pending of waiting.values()) pending.reject(new Error(reason));
    waiting.clear();
  };

  // Write the index now when the tab is hidden: it may be closed without another chance.
  const onHidden = () => {
    if (document.visibilityState === "hidden") send({ type: "flush" });
  };
  document.addEventListener("visibilitychange", onHidden);

  send({ type: "open", store: searchStoreName(userId) });

  return {
    status,
    broken,
    savedNames,
    query(request, limits = {}) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        if (broken()) return reject(new Error(broken() ?? "search is unavailable"));
        waiting.set(id, { resolve, reject });
        send({ type: "query", id, request, limits });
      });
    },
    messages(roomId, segment, messages) {
      send({ type: "messages", roomId, segment, messages });
    },
    keepRooms(roomIds) {
      send({ type: "keep-rooms", roomIds });
    },
    saveNames(names) {
      send({ type: "names", names });
    },
    flush() {
      send({ type: "flush" });
    },
    destroy() {
      document.removeEventListener("visibilitychange", onHidden);
      worker.terminate();
      for (const pending of waiting.values()) pending.reject(new Error("search was closed"));
      waiting.clear();
    },
  };
}
