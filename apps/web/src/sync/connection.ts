import { SCHEMA_VERSION } from "@chat/model";
import { HocuspocusProviderWebsocket, WebSocketStatus } from "@hocuspocus/provider";
import { type Accessor, createSignal } from "solid-js";
import { getSession } from "../api";

/**
 * The one WebSocket of this tab (DESIGN.md: every document is multiplexed over it) and its state as a
 * signal for the header. The socket upgrade is authenticated by the session cookie: when it keeps
 * failing, the session is checked and `onSessionLost` runs if the server no longer knows us.
 */

export type ConnectionState = "online" | "offline" | "connecting";

export interface Connection {
  readonly socket: HocuspocusProviderWebsocket;
  readonly state: Accessor<ConnectionState>;
  destroy(): void;
}

const SESSION_PROBE_INTERVAL_MS = 5_000;

/** `ws(s)://<this host>/sync?schema=<SCHEMA_VERSION>` (docs/api.md: the server refuses older clients). */
export function syncUrl(location: Location = window.location): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/sync?schema=${SCHEMA_VERSION}`;
}

export function createConnection(onSessionLost: () => void): Connection {
  const [socketStatus, setSocketStatus] = createSignal<WebSocketStatus>(WebSocketStatus.Connecting);
  const [browserOnline, setBrowserOnline] = createSignal(navigator.onLine);
  // Once a connection attempt has failed, retries show as "Offline" rather than flickering.
  const [failedSinceConnected, setFailedSinceConnected] = createSignal(false);
  let lastProbe = 0;
  let destroyed = false;

  // Default retry settings on purpose: a `delay` below `minDelay` silently breaks the retry loop.
  const socket = new HocuspocusProviderWebsocket({ url: syncUrl() });

  socket.on("status", ({ status }: { status: WebSocketStatus }) => {
    setSocketStatus(status);
    if (status === WebSocketStatus.Connected) setFailedSinceConnected(false);
  });
  socket.on("disconnect", () => {
    setFailedSinceConnected(true);
    void probeSession();
  });

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
    // Reconnect now instead of waiting out the retry back-off.
    if (socket.status !== WebSocketStatus.Connected) void socket.connect();
  };
  const wentOffline = () => setBrowserOnline(false);
  window.addEventListener("online", wentOnline);
  window.addEventListener("offline", wentOffline);

  const state = (): ConnectionState => {
    if (!browserOnline()) return "offline";
    const status = socketStatus();
    if (status === WebSocketStatus.Connected) return "online";
    return failedSinceConnected() ? "offline" : "connecting";
  };

  return {
    socket,
    state,
    destroy() {
      destroyed = true;
      window.removeEventListener("online", wentOnline);
      window.removeEventListener("offline", wentOffline);
      socket.destroy();
    },
  };
}
