import { backoffMs } from "../lib/backoff.ts";

/** Where client updates are appended (the update log, with group commit). */
export interface AppendLog {
  append(name: string, update: Uint8Array): Promise<void>;
}

interface Entry {
  update: Uint8Array;
  /** The append in flight for this update; null after one failed, until the next try. */
  attempt: Promise<void> | null;
}

interface DocumentState {
  entries: Set<Entry>;
  retry: NodeJS.Timeout | null;
  failures: number;
}

/**
 * Client updates that are in a live document (and so already on their way to everyone else in it)
 * but not yet in the update log. Persistence applies an accepted update as soon as it is judged and
 * appends it meanwhile; the sender is told it is synced only once `flush` resolves, so "synced" still
 * means "in Postgres" (README.md, "How it works"), while the others do not wait for the database.
 *
 * An append that fails is tried again with a back-off (1 s doubling to 30 s) until it is stored, and
 * at once by the next `flush` (the sender reconnecting, the sequencer, a store), because the update
 * is in memory and will not arrive again: the document already holds it, so a resend is a no-op.
 * Appending an update twice is harmless (Yjs skips what it has), never appending it is not.
 */
export class UnstoredUpdates {
  private readonly log: AppendLog;
  private readonly onRetryFailed: (name: string, error: unknown) => void;
  private readonly retryDelayMs: number;
  private readonly documents = new Map<string, DocumentState>();

  constructor(
    log: AppendLog,
    options: { onRetryFailed?: (name: string, error: unknown) => void; retryDelayMs?: number } = {},
  ) {
    this.log = log;
    this.onRetryFailed = options.onRetryFailed ?? (() => {});
    this.retryDelayMs = options.retryDelayMs ?? 1_000;
  }

  /** Starts appending `update` (call before applying it); resolves once stored, rejects if this try fails. */
  add(name: string, update: Uint8Array): Promise<void> {
    const state = this.stateOf(name);
    const entry: Entry = { update, attempt: null };
    state.entries.add(entry);
    return this.attempt(name, state, entry);
  }

  /** Resolves once every update added for `name` so far is stored; tries failed ones again now. */
  async flush(name: string): Promise<void> {
    const state = this.documents.get(name);
    if (!state) return;
    await Promise.all([...state.entries].map((entry) => entry.attempt ?? this.attempt(name, state, entry)));
  }

  /** How many updates of `name` are in memory and not yet stored. */
  pending(name: string): number {
    return this.documents.get(name)?.entries.size ?? 0;
  }

  private stateOf(name: string): DocumentState {
    let state = this.documents.get(name);
    if (!state) {
      state = { entries: new Set(), retry: null, failures: 0 };
      this.documents.set(name, state);
    }
    return state;
  }

  private attempt(name: string, state: DocumentState, entry: Entry): Promise<void> {
    const attempt = this.log.append(name, entry.update).then(
      () => {
        state.entries.delete(entry);
        state.failures = 0;
        if (state.entries.size === 0) {
          if (state.retry) clearTimeout(state.retry);
          if (this.documents.get(name) === state) this.documents.delete(name);
        }
      },
      (error: unknown) => {
        entry.attempt = null;
        this.scheduleRetry(name, state);
        throw error;
      },
    );
    entry.attempt = attempt;
    return attempt;
  }

  private scheduleRetry(name: string, state: DocumentState): void {
    if (state.retry) return;
    state.failures++;
    const delay = backoffMs(this.retryDelayMs, state.failures, 30_000);
    state.retry = setTimeout(() => {
      state.retry = null;
      this.flush(name).catch((error) => this.onRetryFailed(name, error));
    }, delay);
    state.retry.unref();
  }
}
