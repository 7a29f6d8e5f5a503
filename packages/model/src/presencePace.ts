/**
 * How often presence is renewed, and when a state nobody renewed counts as gone. y-protocols renews
 * every 15 s and drops a remote state after 30 s, and every renewal reaches every device with the
 * document open. On the directory that is every device of the workspace: N devices renewing every
 * 15 s is N²/15 states a second in all (2,000 devices: each received a 16 KB frame every second,
 * 100 KB per message sent, more than everything else together). Who is online does not need renewals
 * to stay right: the server removes a connection's states the moment it closes (and notices a dead
 * one by its ping timeout), so the directory renews rarely and keeps states long. A device whose
 * connection closes drops every state it held (the provider does) and gets the server's current
 * ones when it is back.
 */
export const DIRECTORY_PRESENCE_PACE = { renewMs: 5 * 60_000, outdatedMs: 12 * 60_000 } as const;

export interface PresencePace {
  /** A device renews its own state this often. */
  renewMs: number;
  /** A remote state not renewed for this long is dropped (a peer that went without a word). */
  outdatedMs: number;
}

/** What of a y-protocols Awareness this needs (the model does not depend on y-protocols). */
export interface PaceableAwareness {
  clientID: number;
  states: Map<number, unknown>;
  getLocalState(): unknown;
  setLocalState(state: unknown): void;
  on(
    event: "update",
    listener: (change: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => void,
  ): void;
  /** y-protocols' own renewal timer; `destroy()` clears whatever timer is here. */
  _checkInterval: unknown;
}

/** The clock a pace runs on: y-protocols stamps states with Date.now; tests move it by hand. */
export interface PaceClock {
  now(): number;
  repeat(check: () => void, ms: number): unknown;
}

const realClock: PaceClock = {
  now: () => Date.now(),
  repeat: (check, ms) => {
    const timer = setInterval(check, ms);
    // A server must not stay up for a presence timer.
    (timer as { unref?: () => void }).unref?.();
    return timer;
  },
};

/**
 * Replaces an Awareness's renewal and time-out (y-protocols' fixed 15 s / 30 s) with `pace`.
 * `remove` is y-protocols' `removeAwarenessStates`.
 */
export function paceAwareness<A extends PaceableAwareness>(
  awareness: A,
  pace: PresencePace,
  remove: (awareness: A, clients: number[], origin: unknown) => void,
  clock: PaceClock = realClock,
): void {
  clearInterval(awareness._checkInterval as ReturnType<typeof setInterval>);
  // When each state was last set or renewed, on this pace's clock (every update says so).
  const seen = new Map<number, number>();
  for (const clientId of awareness.states.keys()) seen.set(clientId, clock.now());
  awareness.on("update", ({ added, updated, removed }) => {
    const now = clock.now();
    for (const clientId of [...added, ...updated]) seen.set(clientId, now);
    for (const clientId of removed) seen.delete(clientId);
  });
  awareness._checkInterval = clock.repeat(
    () => {
      const now = clock.now();
      const own = seen.get(awareness.clientID);
      if (awareness.getLocalState() !== null && (own === undefined || now - own >= pace.renewMs))
        awareness.setLocalState(awareness.getLocalState());
      const outdated: number[] = [];
      for (const [clientId, at] of seen)
        if (clientId !== awareness.clientID && now - at >= pace.outdatedMs && awareness.states.has(clientId))
          outdated.push(clientId);
      if (outdated.length > 0) remove(awareness, outdated, "timeout");
    },
    Math.floor(Math.min(pace.renewMs, pace.outdatedMs) / 10),
  );
}
