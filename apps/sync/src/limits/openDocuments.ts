import type { LimitPolicy } from "./policy.ts";

/**
 * How long a document that passed its checks may take to open before its place is given back
 * regardless. Opening is loading it (one read of Postgres); when that fails no hook says so.
 */
const OPENING_FOR_MS = 60_000;

/** Places taken by one socket or one account: documents open, and documents opening by name. */
interface Tally {
  open: number;
  opening: Map<string, number[]>;
  openingCount: number;
}

/**
 * Documents held open per socket and per account on this instance (SECURITY.md, "Limits"). Each
 * open document is a connection multiplexed over the socket and a document the instance holds in
 * memory, so one account opening thousands of them slows everyone down (issue 17: 5,000 history
 * segments raised others' p95 from 18 to 1,486 ms).
 *
 * A place is taken when a document passes its access check (`admit`), counted as open once
 * Hocuspocus has set up its connection (`opened`, from the `connected` hook) and given back when
 * that connection closes (`closed`, from `onDisconnect`); both name the socket and the document,
 * which is how they are matched. A place taken for a document that never opens (its load failed,
 * the socket went away meanwhile) is given back after OPENING_FOR_MS. The limits are per instance.
 */
export class OpenDocuments {
  private readonly perSocket: number;
  private readonly perAccount: number;
  private readonly sockets = new Map<string, Tally>();
  private readonly accounts = new Map<string, Tally>();
  /** Open document connections per socket, by document name (a name may be open twice while a provider reopens it). */
  private readonly openBySocket = new Map<string, Map<string, number>>();
  private admitted = 0;

  constructor(documents: Pick<LimitPolicy["documents"], "openPerSocket" | "openPerAccount">) {
    this.perSocket = documents.openPerSocket;
    this.perAccount = documents.openPerAccount;
  }

  /** Takes a place for `documentName`; "socket" or "account" when that one holds all it may. */
  admit(
    socketId: string,
    userId: string,
    documentName: string,
    now = Date.now(),
  ): "socket" | "account" | null {
    if (++this.admitted % 1_000 === 0) this.sweep(now);
    const socket = this.sockets.get(socketId) ?? newTally();
    const account = this.accounts.get(userId) ?? newTally();
    if (full(socket, this.perSocket, now)) return "socket";
    if (full(account, this.perAccount, now)) return "account";
    startOpening(socket, documentName, now);
    startOpening(account, documentName, now);
    this.sockets.set(socketId, socket);
    this.accounts.set(userId, account);
    return null;
  }

  /** The document admitted for this socket has its connection (the `connected` hook). */
  opened(socketId: string, userId: string, documentName: string): void {
    const names = this.openBySocket.get(socketId) ?? new Map<string, number>();
    names.set(documentName, (names.get(documentName) ?? 0) + 1);
    this.openBySocket.set(socketId, names);
    for (const [map, key] of [
      [this.sockets, socketId],
      [this.accounts, userId],
    ] as const) {
      const tally = map.get(key) ?? newTally();
      finishOpening(tally, documentName);
      tally.open++;
      map.set(key, tally);
    }
  }

  /**
   * A document connection closed (`onDisconnect`): its place is free. One that closed before it was
   * counted as open (the socket went away while it loaded) frees nothing here; its place is given
   * back after OPENING_FOR_MS.
   */
  closed(socketId: string, userId: string, documentName: string): void {
    const names = this.openBySocket.get(socketId);
    const count = names?.get(documentName) ?? 0;
    if (count === 0) return;
    if (count === 1) names!.delete(documentName);
    else names!.set(documentName, count - 1);
    if (names!.size === 0) this.openBySocket.delete(socketId);
    for (const [map, key] of [
      [this.sockets, socketId],
      [this.accounts, userId],
    ] as const) {
      const tally = map.get(key);
      if (!tally) continue;
      tally.open--;
      if (tally.open <= 0 && tally.openingCount === 0) map.delete(key);
    }
  }

  /** Forgets places of documents that never opened, and tallies left empty by them. */
  private sweep(now: number): void {
    for (const map of [this.sockets, this.accounts])
      for (const [key, tally] of map) {
        forgetStale(tally, now);
        if (tally.open <= 0 && tally.openingCount === 0) map.delete(key);
      }
  }
}

const newTally = (): Tally => ({ open: 0, opening: new Map(), openingCount: 0 });

/** Whether the tally holds `cap` places, once places of documents that never opened are forgotten. */
function full(tally: Tally, cap: number, now: number): boolean {
  if (tally.open + tally.openingCount < cap) return false;
  forgetStale(tally, now);
  return tally.open + tally.openingCount >= cap;
}

function startOpening(tally: Tally, documentName: string, now: number): void {
  const since = tally.opening.get(documentName) ?? [];
  since.push(now);
  tally.opening.set(documentName, since);
  tally.openingCount++;
}

function finishOpening(tally: Tally, documentName: string): void {
  const since = tally.opening.get(documentName);
  if (!since) return;
  since.shift();
  tally.openingCount--;
  if (since.length === 0) tally.opening.delete(documentName);
}

function forgetStale(tally: Tally, now: number): void {
  if (tally.openingCount === 0) return;
  for (const [name, since] of tally.opening) {
    while (since.length > 0 && now - since[0]! > OPENING_FOR_MS) {
      since.shift();
      tally.openingCount--;
    }
    if (since.length === 0) tally.opening.delete(name);
  }
}
