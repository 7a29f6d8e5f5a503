/**
 * The person's other tabs of the app: work only one tab may do at a time (Web Locks), and a word to
 * the others that something they show changed (BroadcastChannel). Where a browser lacks either,
 * the work simply runs and nobody is told.
 */

/** Runs `work` while holding the lock `name`, or resolves undefined at once when another tab holds it. */
export function exclusive<T>(name: string, work: () => Promise<T>): Promise<T | undefined> {
  const locks = globalThis.navigator?.locks;
  if (!locks) return work();
  return locks.request(name, { ifAvailable: true }, (lock) => (lock ? work() : undefined)) as Promise<
    T | undefined
  >;
}

/** A channel between this person's tabs: `post` tells the others, `listen` hears them. */
export function tabChannel(name: string): { post(): void; listen(heard: () => void): () => void } {
  const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(name) : null;
  return {
    post: () => channel?.postMessage("changed"),
    listen(heard) {
      if (!channel) return () => {};
      channel.onmessage = () => heard();
      return () => channel.close();
    },
  };
}
