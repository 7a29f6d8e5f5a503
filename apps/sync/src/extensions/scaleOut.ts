import { hostname } from "node:os";
import { Redis as RedisExtension } from "@hocuspocus/extension-redis";
import type { onChangePayload } from "@hocuspocus/server";
import { Redis } from "ioredis";
import type { Logger } from "../log.ts";

/**
 * Several sync instances serve the same rooms through Redis pub/sub (the Hocuspocus Redis
 * extension): each instance relays the updates and awareness it receives, and every change makes the
 * peers exchange state vectors. When Redis returns after an outage, every instance announces the
 * state vector of each document it has loaded (as a change would), so the peers exchange what they
 * missed meanwhile at once, not only when someone next writes.
 *
 * Each instance still stores and sequences only what its own clients sent (updates arriving from
 * Redis carry origin "redis" and are skipped by persistence and the sequencer).
 */
export interface ScaleOut {
  extension: RedisExtension;
  /** True while both Redis connections are up. */
  ready(): boolean;
  /**
   * Those of `documentNames` another instance has loaded (subscribed to their channel); rejects when
   * Redis cannot say.
   */
  loadedOnPeers(documentNames: readonly string[]): Promise<Set<string>>;
  close(): Promise<void>;
}

export function createScaleOut(redisUrl: string, port: number, log: Logger): ScaleOut {
  const clients: Redis[] = [];
  /** Set when a connection is lost; cleared once the documents have been announced again. */
  let resyncDue = false;
  let closing = false;
  const allReady = () => clients.length === 2 && clients.every((client) => client.status === "ready");
  const resync = async () => {
    resyncDue = false;
    try {
      // ioredis resubscribes the lost subscriptions as a connection becomes ready, before anything
      // sent after; once a ping on each connection answers, replies to us will not be missed.
      await Promise.all(clients.map((client) => client.ping()));
    } catch {
      resyncDue = true; // lost again: the next "ready" tries again
      return;
    }
    const documents = extension.instance?.documents ?? new Map();
    // What the extension does on every change: publish this document's state vector (SyncStep1),
    // which every peer answers with what we lack, and with its own state vector in turn.
    for (const [documentName, document] of documents)
      void extension.onChange({
        documentName,
        document,
        transactionOrigin: { source: "local" },
      } as onChangePayload);
    if (documents.size > 0) log.info({ documents: documents.size }, "Redis is back: documents resynced");
  };
  const createClient = () => {
    const client = new Redis(redisUrl, {
      // Keep retrying forever, at most every 2 s; an instance without Redis still serves its own clients.
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
      maxRetriesPerRequest: 3,
      lazyConnect: false,
    });
    let down = false;
    client.on("error", (error) => {
      if (!down)
        log.error({ error: error.message }, "lost Redis: serving local clients only until it returns");
      down = true;
    });
    client.on("close", () => {
      if (!closing) resyncDue = true;
    });
    client.on("ready", () => {
      if (down) log.info({}, "Redis is back: cross-instance delivery resumed");
      down = false;
      if (resyncDue && allReady()) void resync();
    });
    clients.push(client);
    return client;
  };
  const prefix = "chat";
  const extension = new RedisExtension({
    createClient,
    identifier: `${hostname()}:${port}:${Math.random().toString(36).slice(2, 8)}`,
    prefix,
    // Someone opening a room on this instance sees what a peer instance holds in memory first.
    awaitInitialSyncTimeout: 1_000,
  });
  // Its own connection: the extension's are a publisher and a subscriber (which may not ask this).
  let asker: Redis | null = null;
  return {
    extension,
    ready: () => clients.length > 0 && clients.every((client) => client.status === "ready"),
    async loadedOnPeers(documentNames) {
      const loaded = new Set<string>();
      if (documentNames.length === 0) return loaded;
      if (!asker) {
        asker = new Redis(redisUrl, {
          retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
          maxRetriesPerRequest: 1,
        });
        asker.on("error", () => {}); // the extension's connections report Redis going away
      }
      // The extension subscribes each loaded document's channel, `<prefix>:<name>` (its getKey); a
      // document loaded here counts itself, but callers ask only of those not loaded here.
      const counts = (await asker.call(
        "PUBSUB",
        "NUMSUB",
        ...documentNames.map((name) => `${prefix}:${name}`),
      )) as Array<string | number>;
      for (let i = 0; i < documentNames.length; i++)
        if (Number(counts[2 * i + 1]) > 0) loaded.add(documentNames[i]!);
      return loaded;
    },
    async close() {
      closing = true;
      const all = asker ? [...clients, asker] : clients;
      await Promise.all(all.map((client) => client.quit().catch(() => client.disconnect())));
    },
  };
}
