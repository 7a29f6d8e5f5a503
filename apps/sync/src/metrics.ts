import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/**
 * Prometheus metrics served at /metrics: connections, loaded documents, messages sequenced (rate()
 * gives messages per second) and how long storing an update in Postgres takes, besides Node's own.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly messages: Counter;
  private readonly storeSeconds: Histogram;
  private readonly frames: Counter;
  private readonly socketCloses: Counter;
  private readonly damaged: Counter;
  private readonly unhandled: Counter;
  private readonly hookFailures: Counter;
  private readonly refusals: Counter;
  private readonly framesSent: Counter;
  private readonly statements: Counter;
  private readonly serverChanges: Counter;
  private readonly pushes: Counter;

  constructor(source: { sockets(): number; connections(): number; documents(): number }) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: "chat_websockets",
      help: "Open WebSocket connections (devices)",
      registers: [this.registry],
      collect() {
        this.set(source.sockets());
      },
    });
    new Gauge({
      name: "chat_document_connections",
      help: "Open document connections (a device has one per open document)",
      registers: [this.registry],
      collect() {
        this.set(source.connections());
      },
    });
    new Gauge({
      name: "chat_loaded_documents",
      help: "Documents loaded in memory",
      registers: [this.registry],
      collect() {
        this.set(source.documents());
      },
    });
    this.messages = new Counter({
      name: "chat_messages_total",
      help: "Messages accepted and sequenced",
      registers: [this.registry],
    });
    this.frames = new Counter({
      name: "chat_websocket_frames_total",
      help: "WebSocket frames handed to Hocuspocus (after the rate limit and the frame-header check)",
      registers: [this.registry],
    });
    // The work behind each message, as counts (a benchmark compares them with a bare server's; a
    // test can bound them where a time would depend on the machine).
    this.framesSent = new Counter({
      name: "chat_websocket_frames_sent_total",
      help: "WebSocket frames sent to devices (updates, acknowledgements, presence)",
      registers: [this.registry],
    });
    this.statements = new Counter({
      name: "chat_db_statements_total",
      help: "SQL statements sent to the database",
      registers: [this.registry],
    });
    this.serverChanges = new Counter({
      name: "chat_server_changes_total",
      help: "Changes the server stored and applied to documents itself, by kind of document (segment, room, user, directory)",
      labelNames: ["document"],
      registers: [this.registry],
    });
    this.socketCloses = new Counter({
      name: "chat_websocket_refusals_total",
      help: "Sockets the server closed for a malformed frame (4400) or a rate limit (4429)",
      labelNames: ["code"],
      registers: [this.registry],
    });
    this.refusals = new Counter({
      name: "chat_refusals_total",
      help: "Writes and presence the server refused or left out, by reason (presence-foreign-client, write-forbidden, ...)",
      labelNames: ["reason"],
      registers: [this.registry],
    });
    this.damaged = new Counter({
      name: "chat_damaged_document_parts_total",
      help: "Stored snapshots or log rows that could not be applied as stored (set aside in damaged_updates)",
      registers: [this.registry],
    });
    this.unhandled = new Counter({
      name: "chat_unhandled_rejections_total",
      help: "Promises rejected with nobody to handle them (each one is a bug; the server keeps serving)",
      registers: [this.registry],
    });
    this.hookFailures = new Counter({
      name: "chat_hook_failures_total",
      help: "Hocuspocus hooks that failed where nobody awaits them (onChange and the like): bugs, caught",
      labelNames: ["hook"],
      registers: [this.registry],
    });
    this.pushes = new Counter({
      name: "chat_pushes_total",
      help: "Web Push posts by outcome: sent, retried, expired (404/410, subscription removed), refused, dropped (queue full)",
      labelNames: ["outcome"],
      registers: [this.registry],
    });
    this.storeSeconds = new Histogram({
      name: "chat_store_update_seconds",
      help: "Time to append an accepted update to Postgres, before the client is told it is synced",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
  }

  messagesSequenced(count: number): void {
    this.messages.inc(count);
  }

  frameReceived(): void {
    this.frames.inc();
  }

  frameSent(): void {
    this.framesSent.inc();
  }

  statementSent(): void {
    this.statements.inc();
  }

  /** The server stored a change of its own to a document of this kind ("segment", "user", ...). */
  serverChanged(document: string): void {
    this.serverChanges.inc({ document });
  }

  socketRefused(code: number): void {
    this.socketCloses.inc({ code: String(code) });
  }

  /**
   * Something a client sent was refused or left out; `reason` is a short stable label
   * ("presence-foreign-client", "write-forbidden", "update-too-large", "rate-limited", ...).
   */
  refused(reason: string): void {
    this.refusals.inc({ reason });
  }

  damagedParts(count: number): void {
    this.damaged.inc(count);
  }

  hookFailed(hook: string): void {
    this.hookFailures.inc({ hook });
  }

  /** A push to one device ended this way (push/pushSender.ts). */
  pushed(outcome: string): void {
    this.pushes.inc({ outcome });
  }

  unhandledRejection(): void {
    this.unhandled.inc();
  }

  /** Starts a timer; call the returned function when the store finished. */
  timeStore(): () => void {
    return this.storeSeconds.startTimer();
  }
}
