/**
 * One queue per key: a task starts once every task queued before it under the same key has settled
 * (resolved or failed), and tasks under different keys run side by side. A key's queue is forgotten
 * when it runs empty, so keys that come and go (documents, rooms) do not pile up.
 */
export class SerialQueues<K> {
  private readonly tails = new Map<K, Promise<void>>();

  /** Queues `task` under `key`; resolves or rejects as it does (a failure does not stop the queue). */
  run<T>(key: K, task: () => T | Promise<T>): Promise<T> {
    const run = (this.tails.get(key) ?? Promise.resolve()).then(task);
    const tail = run.then(
      () => {},
      () => {},
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return run;
  }

  /** Resolves once every task queued under `key` so far has settled. */
  idle(key: K): Promise<void> {
    return this.tails.get(key) ?? Promise.resolve();
  }
}
