import type { IncomingMessage, ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import { FILE_NAME_HEADER, isInlineImage, type ProfileResponse, type UploadFileResponse } from "@chat/model";
import { getApiUser } from "../auth/accounts.ts";
import { readCookie } from "../auth/cookies.ts";
import { findSession, SESSION_COOKIE, type Session } from "../auth/sessions.ts";
import type { Database } from "../db/database.ts";
import { type ByteRange, StorageFull, StorageUnavailable } from "../files/fileStore.ts";
import type { Files, UploadedFile } from "../files/files.ts";
import { UploadAborted, UploadTooLarge } from "../files/receive.ts";
import type { AccountLimits } from "../limits/accountLimits.ts";
import type { Logger } from "../log.ts";
import { sendError, sendJson } from "./json.ts";
import { RequestError } from "./requestError.ts";

/** Files (docs/api.md "Files"): upload into a room, download by id, thumbnails of images. */
export interface FileRouteDeps {
  db: Database;
  files: Files;
  accountLimits: AccountLimits;
  log: Logger;
  /** Publishes a changed avatar in the `directory`. */
  projector: { refreshDirectory(): Promise<void> };
}

const UPLOAD = /^\/api\/rooms\/([a-z0-9-]{1,64})\/files\/([^/]*)$/;
const DOWNLOAD = /^\/api\/files\/([^/]*)(\/thumbnail)?$/;

/** A year: a file's bytes never change under its id (an id is never reused). */
const CACHE_FOREVER = "private, max-age=31536000, immutable";
const NOT_FOUND = "There is no such file, or you may not see it.";

/** Handles the request and returns true when the path is one of these routes. */
export async function handleFileRoute(
  deps: FileRouteDeps,
  session: () => Promise<Session>,
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
): Promise<boolean> {
  const upload = UPLOAD.exec(path);
  if (upload && request.method === "PUT") {
    await uploadFile(deps, await session(), request, response, upload[1]!, upload[2]!);
    return true;
  }
  const download = DOWNLOAD.exec(path);
  if (download && (request.method === "GET" || request.method === "HEAD")) {
    await downloadFile(deps, request, response, download[1]!, download[2] !== undefined);
    return true;
  }
  return false;
}

const AVATAR_UPLOAD = "/api/profile/avatar";
const AVATAR = /^\/api\/avatars\/([^/]*)$/;

/**
 * Avatars (files/avatars.ts): PUT /api/profile/avatar (the image's bytes as the body) and DELETE of
 * the same path for the signed-in person's own; GET /api/avatars/<id> for any signed-in person.
 * Handles the request and returns true when the path is one of these routes.
 */
export async function handleAvatarRoute(
  deps: FileRouteDeps,
  writer: () => Promise<Session>,
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
): Promise<boolean> {
  if (path === AVATAR_UPLOAD && request.method === "PUT") {
    const session = await writer();
    await refusingUploads(deps, request, response, async () => {
      await deps.accountLimits.upload(session.user.id);
      await deps.files.uploadAvatar(session.user.id, request);
      await sendProfile(deps, response, session.user.id);
    });
    return true;
  }
  if (path === AVATAR_UPLOAD && request.method === "DELETE") {
    const session = await writer();
    await deps.files.removeAvatar(session.user.id);
    await sendProfile(deps, response, session.user.id);
    return true;
  }
  const avatar = AVATAR.exec(path);
  if (avatar && (request.method === "GET" || request.method === "HEAD")) {
    await downloadAvatar(deps, request, response, avatar[1]!);
    return true;
  }
  return false;
}

async function sendProfile(deps: FileRouteDeps, response: ServerResponse, userId: string): Promise<void> {
  await deps.projector.refreshDirectory();
  sendJson(response, 200, { user: await getApiUser(deps.db, userId) } satisfies ProfileResponse);
}

async function downloadAvatar(
  deps: FileRouteDeps,
  request: IncomingMessage,
  response: ServerResponse,
  id: string,
): Promise<void> {
  // Everyone signed in reads the directory, so every avatar; nobody else sees one.
  const session = await findSession(deps.db, readCookie(request, SESSION_COOKIE));
  const bytes = session ? await deps.files.readAvatar(id) : null;
  if (!bytes) return sendError(response, 404, "There is no such avatar, or you are not signed in.");
  response.writeHead(200, {
    "content-type": "image/webp",
    // An avatar id is never reused: a new picture gets a new id, published in the directory.
    "cache-control": CACHE_FOREVER,
    "x-content-type-options": "nosniff",
  });
  if (request.method === "HEAD") {
    bytes.destroy();
    response.end();
    return;
  }
  try {
    await pipeline(bytes, response);
  } catch {
    response.destroy();
  }
}

/** Answers the refusals an upload can meet halfway (too large, the store full or away, the client gone). */
async function refusingUploads(
  deps: FileRouteDeps,
  request: IncomingMessage,
  response: ServerResponse,
  work: () => Promise<void>,
): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (error instanceof UploadAborted) {
      deps.log.info({ route: request.url }, "an upload stopped halfway; nothing kept");
      response.destroy();
      return;
    }
    // Refused before the body was read to its end: the answer closes the connection rather than
    // reading (up to MAX_UPLOAD_MB of) bytes nobody will keep.
    if (!request.complete) response.setHeader("connection", "close");
    if (error instanceof UploadTooLarge) return sendError(response, 413, error.message);
    if (error instanceof StorageFull) {
      deps.log.error({ error: error.message }, "the file store is full");
      return sendError(response, 507, "The server has no room left for files. Tell the workspace admin.");
    }
    if (error instanceof StorageUnavailable) {
      deps.log.error({ error: error.message }, "the file store refused a write");
      return sendError(response, 503, "The server cannot store files right now. Try again in a moment.");
    }
    throw error;
  }
}

async function uploadFile(
  deps: FileRouteDeps,
  session: Session,
  request: IncomingMessage,
  response: ServerResponse,
  roomId: string,
  attachmentId: string,
): Promise<void> {
  await refusingUploads(deps, request, response, async () => {
    await deps.accountLimits.upload(session.user.id);
    const { attachment, created } = await deps.files.upload({
      roomId,
      attachmentId,
      name: fileName(request),
      uploader: session.user.id,
      body: request,
      declaredBytes: declaredLength(request),
    });
    sendJson(response, created ? 201 : 200, { file: attachment } satisfies UploadFileResponse);
  });
}

function fileName(request: IncomingMessage): string {
  const raw = request.headers[FILE_NAME_HEADER.toLowerCase()];
  if (typeof raw !== "string")
    throw new RequestError(400, `Name the file in the ${FILE_NAME_HEADER} header (URI-encoded).`);
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new RequestError(400, `The ${FILE_NAME_HEADER} header must be the URI-encoded file name.`);
  }
}

function declaredLength(request: IncomingMessage): number | null {
  const length = request.headers["content-length"];
  return length !== undefined && /^\d+$/.test(length) ? Number(length) : null;
}

async function downloadFile(
  deps: FileRouteDeps,
  request: IncomingMessage,
  response: ServerResponse,
  attachmentId: string,
  thumbnail: boolean,
): Promise<void> {
  // No session and someone else's file look the same as a missing one: 404 either way.
  const session = await findSession(deps.db, readCookie(request, SESSION_COOKIE));
  const file = await deps.files.findDownloadable(attachmentId, session?.user.id ?? null);
  if (!file) return sendError(response, 404, NOT_FOUND);
  try {
    if (thumbnail) await sendThumbnail(deps, request, response, file);
    else await sendFile(deps, request, response, file);
  } catch (error) {
    if (error instanceof StorageUnavailable && !response.headersSent)
      return sendError(response, 503, "The server cannot read files right now. Try again in a moment.");
    throw error;
  }
}

async function sendFile(
  deps: FileRouteDeps,
  request: IncomingMessage,
  response: ServerResponse,
  file: UploadedFile,
): Promise<void> {
  const { attachment } = file;
  const etag = `"${file.sha256}"`;
  const forceDownload = new URL(request.url ?? "/", "http://x").searchParams.get("download") === "1";
  // Only raster images are ever shown by the browser itself; anything else (SVG and HTML included)
  // is a download, and nosniff keeps the browser from guessing otherwise.
  const inline = isInlineImage(attachment) && !forceDownload;
  const headers: Record<string, string> = {
    "content-type": attachment.type,
    "content-disposition": disposition(inline ? "inline" : "attachment", attachment.name),
    "cache-control": CACHE_FOREVER,
    etag,
    "accept-ranges": "bytes",
    "x-content-type-options": "nosniff",
  };
  // A download that the browser renders anyway (an old one, a misconfigured proxy) runs nothing.
  if (!inline) headers["content-security-policy"] = "default-src 'none'; sandbox";
  if (matches(request.headers["if-none-match"], etag)) {
    response.writeHead(304, headers).end();
    return;
  }
  const size = attachment.size;
  const ifRange = request.headers["if-range"];
  const range =
    request.headers.range && (ifRange === undefined || ifRange === etag)
      ? parseRange(request.headers.range, size)
      : null;
  if (range === "unsatisfiable") {
    response.writeHead(416, {
      "content-type": "application/json; charset=utf-8",
      "content-range": `bytes */${size}`,
      "cache-control": "no-store",
    });
    response.end(JSON.stringify({ error: `The file has ${size} bytes; that range is past its end.` }));
    return;
  }
  if (range) {
    headers["content-range"] = `bytes ${range.start}-${range.end}/${size}`;
    headers["content-length"] = String(range.end - range.start + 1);
  } else headers["content-length"] = String(size);
  if (request.method === "HEAD") {
    response.writeHead(range ? 206 : 200, headers).end();
    return;
  }
  const bytes = await deps.files.read(file, range ?? undefined);
  response.writeHead(range ? 206 : 200, headers);
  await stream(deps, bytes, response, file);
}

async function sendThumbnail(
  deps: FileRouteDeps,
  request: IncomingMessage,
  response: ServerResponse,
  file: UploadedFile,
): Promise<void> {
  const etag = `"${file.sha256}-thumbnail"`;
  const headers = {
    "content-type": "image/webp",
    "content-disposition": disposition("inline", `${file.attachment.name}.webp`),
    "cache-control": CACHE_FOREVER,
    etag,
    "x-content-type-options": "nosniff",
  };
  if (matches(request.headers["if-none-match"], etag)) {
    response.writeHead(304, headers).end();
    return;
  }
  const bytes = await deps.files.readThumbnail(file);
  if (!bytes)
    return sendError(response, 404, "This file has no thumbnail: only images the server can read have one.");
  response.writeHead(200, headers);
  if (request.method === "HEAD") {
    bytes.destroy();
    response.end();
    return;
  }
  await stream(deps, bytes, response, file);
}

/** Sends the bytes; a reader that goes away mid-file simply ends it. */
async function stream(
  deps: FileRouteDeps,
  bytes: NodeJS.ReadableStream,
  response: ServerResponse,
  file: UploadedFile,
): Promise<void> {
  try {
    await pipeline(bytes, response);
  } catch (error) {
    if (!response.destroyed)
      deps.log.warn({ attachmentId: file.attachment.id, error: String(error) }, "a download failed halfway");
    response.destroy();
  }
}

/** `inline` or `attachment` with the name in RFC 5987 form (and a plain ASCII fallback). */
export function disposition(kind: "inline" | "attachment", name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, "_");
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.trim() === "*" || header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}

/**
 * One byte range of `Range: bytes=…` (first-last, first-, or -suffix). Several ranges, or a header
 * that is not one, are ignored (the whole file is sent, as RFC 9110 allows); a range that starts past
 * the end cannot be satisfied (416).
 */
export function parseRange(header: string, size: number): ByteRange | "unsatisfiable" | null {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return null;
  if (match[1] === "") {
    const suffix = Number(match[2]);
    if (suffix === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size) return "unsatisfiable";
  if (end < start) return null;
  return { start, end };
}
