import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, normalize, sep } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".webmanifest": "application/manifest+json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json; charset=utf-8",
};

/**
 * Serves the built web app. Hashed files under /assets/ are cached for a year; every other path that
 * is not a file gets index.html, so deep links (/r/<id>, /dm/<name>) load the app.
 */
export async function serveStatic(
  root: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  let path: string;
  try {
    path = decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname);
  } catch {
    // Not valid percent-encoding (or not a URL at all): no file has that name.
    response.writeHead(400, { "content-type": "text/plain" }).end("Bad request: the address is not valid.");
    return;
  }
  const file = normalize(join(root, path));
  if (!file.startsWith(root + sep) && file !== root) {
    response.writeHead(400).end();
    return;
  }
  let target = file;
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) {
    if (extname(path) !== "") {
      response.writeHead(404, { "content-type": "text/plain" }).end("Not found");
      return;
    }
    target = join(root, "index.html");
  }
  const immutable = path.startsWith("/assets/");
  response.writeHead(200, {
    "content-type": TYPES[extname(target)] ?? "application/octet-stream",
    "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
  });
  if (request.method === "HEAD") {
    response.end();
    return;
  }
  createReadStream(target).pipe(response);
}
