/**
 * A part that is built after the parts that hold it, assigned exactly once. Hocuspocus takes its
 * extensions when it is built, and some of them write through the DocumentWriter, which opens
 * documents through Hocuspocus. The writer holds this handle and reads it only when it writes, which
 * never happens before Hocuspocus is built (server.ts assigns it right after), so the loop is broken
 * without anyone reaching back into server.ts for a variable that may still be unset.
 */
export class LateBound<T> {
  private readonly what: string;
  private value: T | undefined;

  constructor(what: string) {
    this.what = what;
  }

  set(value: T): void {
    if (this.value !== undefined) throw new Error(`${this.what} is set twice`);
    this.value = value;
  }

  get(): T {
    if (this.value === undefined) throw new Error(`${this.what} is used before it is built`);
    return this.value;
  }

  /** The part, or undefined before it is built (for readings that may come early, like metrics). */
  peek(): T | undefined {
    return this.value;
  }
}
