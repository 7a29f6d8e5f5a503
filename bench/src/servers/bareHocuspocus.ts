import { Server } from "@hocuspocus/server";

/** The baseline: Hocuspocus 4 with no extensions, documents in memory only. */
const port = Number(process.argv[2]);
const server = new Server({ port, address: "127.0.0.1", quiet: true, stopOnSignals: true });
await server.listen();
process.stdout.write("ready\n");
