import { ACCOUNT_DEACTIVATED_REASON, CLOSE_CODES, SCHEMA_VERSION } from "@chat/model";
import { HocuspocusProviderWebsocket, WebSocketStatus } from "@hocuspocus/provider";
import { type Accessor, createSignal } from "solid-js";
import { afterNextPaint } from "../lib/afterPaint";
import { getSession } from "../lib/api";
import { reconnectDelay } from "./backoff";

/**
 * The one WebSocket of this tab (every document is multiplexed over it), its state for the
 * header, and reconnecting with back-off. "Offline" means the browser has no network; with a network
 * and no server the state is "connecting" and says when the next attempt is. The socket upgrade is
 * authenticated by the session cookie: when it keeps failing, the session is checked and
 * `onSessionLost` runs if the server no longer knows us.
 */

export type ConnectionState = "online" | "offline" | "connecting";

export interface Connection {
  readonly socket: HocuspocusProviderWebsocket;
  readonly state: Accessor<ConnectionState>;
  /** When the next attempt to reach the server starts (epoch ms), while one is waiting; else null. */
  readonly retryAt: Accessor<number | null>;
  destroy(): void;
}

const SESSION_PROBE_INTERVAL_MS = 5_000;
/**
 * An attempt that has not heard from the server by then is given up and retried: the provider has no
 * limit of its own (a black-holed connection would say "connecting" for minutes, and a socket that
 * opens but never answers would look connected).
 */
export const ATTEMPT_TIMEOUT_MS = 10_000;

/** `ws(s)://<this host>/sync?schema=<SCHEMA_VERSION>` (docs/api.md: the server refuses older clients). */
export function syncUrl(location: Location = window.location): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/sync?schema=${SCHEMA_VERSION}`;
}

export function createConnection(onSessionLost: (because?: "deactivated") => void): Connection {
  const [browserOnline, setBrowserOnline] = createSignal(navigator.onLine);
  // Live once the server has answered on this socket (the provider says "connected" as soon as the
  // socket opens, before anything has come back).
  const [live, setLive] = createSignal(false);
  const [retryAt, setRetryAt] = createSignal<number | null>(null);
  let failures = 0;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let attemptTimer: ReturnType<typeof setTimeout> | null = null;
  let lastProbe = 0;
  let destroyed = false;

  // One attempt per `connect()`; the waits between attempts are ours (below), so the header can say
  // when the next one is. `delay` and `minDelay` stay at their defaults on purpose: a `delay` below
  // `minDelay` makes every `connect()` throw inside the provider, silently, and nothing reconnects.
  // After a live connection drops, the provider itself tries again once after `delay` (one second).
  // Connected below, once the listeners are on (the first attempt needs its time limit too).
  const socket = new HocuspocusProviderWebsocket({ url: syncUrl(), maxAttempts: 1, autoConnect: false });

  const clearRetry = () => {
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = null;
    setRetryAt(null);
  };
  const clearAttemptTimer = () => {
    if (attemptTimer) clearTimeout(attemptTimer);
    attemptTimer = null;
  };

  socket.on("status", ({ status }: { status: WebSocketStatus }) => {
    if (status !== WebSocketStatus.Connected) setLive(false);
    if (status === WebSocketStatus.Connecting) {
      // An attempt started (ours, the provider's, or one a newly opened document asked for).
      clearRetry();
      clearAttemptTimer();
      attemptTimer = setTimeout(() => {
        attemptTimer = null;
        // Closing fails the attempt like any refused one: it is counted and retried after a wait.
        if (!live()) socket.webSocket?.close();
      }, ATTEMPT_TIMEOUT_MS);
    }
    if (status === WebSocketStatus.Disconnected) clearAttemptTimer();
  });
  socket.on("connect", () => {
    failures = 0;
    clearAttemptTimer();
    clearRetry();
    setLive(true);
  });
  socket.on("disconnect", () => void probeSession());
  // The admin deactivated the account: the server said so as it closed the socket; no need to ask.
  socket.on("close", ({ event }: { event?: { code?: number; reason?: string } }) => {
    if (event?.code === CLOSE_CODES.signedOut && event.reason === ACCOUNT_DEACTIVATED_REASON && !destroyed)
      onSessionLost("deactivated");
  });
  // The attempt failed (refused, closed, timed out): wait, longer after each failure, and try again.
  socket.on("maxAttemptsFailed", () => {
    if (destroyed || live()) return;
    failures += 1;
    scheduleRetry(reconnectDelay(failures));
  });

  function scheduleRetry(wait: number): void {
    clearRetry();
    setRetryAt(Date.now() + wait);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      setRetryAt(null);
      // Another attempt may have started meanwhile (a document opened): let that one run.
      if (!destroyed && socket.status === WebSocketStatus.Disconnected) void socket.connect();
    }, wait);
  }

  async function probeSession(): Promise<void> {
    const now = Date.now();
    if (destroyed || now - lastProbe < SESSION_PROBE_INTERVAL_MS) return;
    lastProbe = now;
    try {
      if ((await getSession()) === null && !destroyed) onSessionLost();
    } catch {
      // The server is unreachable: that is being offline, not being signed out.
    }
  }

  const wentOnline = () => {
    setBrowserOnline(true);
    // The network is back: try now instead of waiting out the back-off.
    if (socket.status === WebSocketStatus.Disconnected) {
      clearRetry();
      void socket.connect();
    }
  };
  const wentOffline = () => setBrowserOnline(false);
  window.addEventListener("online", wentOnline);
  window.addEventListener("offline", wentOffline);

  // The first attempt once the first screen is painted: it renders from the device, before the socket
  // connects (opening a WebSocket is a few milliseconds of the first render's task otherwise). Documents
  // attached meanwhile wait for it: with `autoConnect: false` attaching one does not connect.
  const cancelFirstAttempt = afterNextPaint(() => {
    if (!destroyed) void socket.connect();
  });

  // Without a network the socket may not have noticed yet that it is dead: "offline" comes first.
  const state = (): ConnectionState => {
    if (!browserOnline()) return "offline";
    return live() ? "online" : "connecting";
  };

  return {
    socket,
    state,
    retryAt: () => (state() === "connecting" ? retryAt() : null),
    destroy() {
      destroyed = true;
      cancelFirstAttempt();
      clearRetry();
      clearAttemptTimer();
      window.removeEventListener("online", wentOnline);
      window.removeEventListener("offline", wentOffline);
      socket.destroy();
    },
  };
}
