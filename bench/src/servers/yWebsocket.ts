import { createServer } from "node:http";
import { createRequire } from "node:module";
import { WebSocketServer } from "ws";

/** The bare reference: the y-websocket server (y-websocket 2.1, documents in memory only). */
const require = createRequire(import.meta.url);
const { setupWSConnection } = require("y-websocket/bin/utils") as {
  setupWSConnection: (ws: unknown, request: unknown, options: { docName: string; gc: boolean }) => void;
};
const port = Number(process.argv[2]);
const http = createServer((_request, response) => response.writeHead(200).end("ok"));
const wss = new WebSocketServer({ server: http });
wss.on("connection", (ws, request) => {
  const docName = decodeURIComponent((request.url ?? "/").slice(1).split("?")[0] ?? "");
  setupWSConnection(ws, request, { docName, gc: true });
});
http.listen(port, "127.0.0.1", () => process.stdout.write("ready\n"));
