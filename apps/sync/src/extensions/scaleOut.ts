import { hostname } from "node:os";
import { Redis as RedisExtension } from "@hocuspocus/extension-redis";
import { Redis } from "ioredis";
import type { Logger } from "../log.ts";

/**
 * Several sync instances serve the same rooms through Redis pub/sub (the Hocuspocus Redis
 * extension): each instance relays the updates and awareness it receives, and every change makes the
 * peers exchange state vectors, so what one missed while Redis was down is repaired by the next change.
 *
 * Each instance still stores and sequences only what its own clients sent (updates arriving from
 * Redis carry origin "redis" and are skipped by persistence and the sequencer).
 */
export interface ScaleOut {
  extension: RedisExtension;
  /** True while both Redis connections are up. */
  ready(): boolean;
  close(): Promise<void>;
}

export function createScaleOut(redisUrl: string, port: number, log: Logger): ScaleOut {
  const clients: Redis[] = [];
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
    client.on("ready", () => {
      if (down) log.info({}, "Redis is back: cross-instance delivery resumed");
      down = false;
    });
    clients.push(client);
    return client;
  };
  const extension = new RedisExtension({
    createClient,
    identifier: `${hostname()}:${port}:${Math.random().toString(36).slice(2, 8)}`,
    prefix: "chat",
    // Someone opening a room on this instance sees what a peer instance holds in memory first.
    awaitInitialSyncTimeout: 1_000,
  });
  return {
    extension,
    ready: () => clients.length > 0 && clients.every((client) => client.status === "ready"),
    async close() {
      await Promise.all(clients.map((client) => client.quit().catch(() => client.disconnect())));
    },
  };
}
