import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * A loopback TCP proxy a test can cut and restore, to play "Redis (or Postgres) went away" without
 * touching the real server other tests use. `latencyMs` holds back every request to the target (in
 * order) for that long: a slow network to the database. What is held back when the client goes away
 * (its process killed) is dropped, as it would be in the dead process's buffers.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private server: Server | null = null;
  port = 0;
  latencyMs = 0;
  readonly targetHost: string;
  readonly targetPort: number;

  constructor(targetHost: string, targetPort: number) {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
  }

  async start(port = 0): Promise<number> {
    this.server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on("close", () => this.sockets.delete(socket));
        socket.on("error", () => {
          client.destroy();
          upstream.destroy();
        });
      }
      this.delayed(client, upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(port, "127.0.0.1", resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this.port;
  }

  /** Forwards `from` to `to`, each chunk `latencyMs` after it arrived and never before an earlier one. */
  private delayed(from: Socket, to: Socket): void {
    const queue: Array<{ at: number; chunk: Buffer }> = [];
    let timer: NodeJS.Timeout | null = null;
    const flush = () => {
      timer = null;
      while (queue.length > 0 && queue[0]!.at <= Date.now()) to.write(queue.shift()!.chunk);
      if (queue.length > 0) timer = setTimeout(flush, queue[0]!.at - Date.now());
    };
    from.on("data", (chunk: Buffer) => {
      if (this.latencyMs === 0 && queue.length === 0) return void to.write(chunk);
      queue.push({ at: Math.max(Date.now() + this.latencyMs, queue.at(-1)?.at ?? 0), chunk });
      timer ??= setTimeout(flush, queue[0]!.at - Date.now());
    });
    from.on("close", () => {
      if (timer) clearTimeout(timer);
      if (queue.length > 0) to.destroy();
      else to.end();
      queue.length = 0;
    });
  }

  /** Drops every connection and refuses new ones until `start` is called again (same port). */
  async cut(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
    this.server = null;
  }

  async restore(): Promise<void> {
    if (!this.server) await this.start(this.port);
  }

  async close(): Promise<void> {
    await this.cut();
  }
}
