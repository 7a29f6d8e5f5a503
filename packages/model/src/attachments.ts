import { isId, newId } from "./schema.ts";

/**
 * A file attached to a message (docs/architecture.md, "Who writes which document"): the bytes live in the server's file
 * store, the metadata in Postgres, and the message record carries this copy of the metadata so every
 * device can show it offline. The server's write rules accept it only when it equals the stored row.
 */
export interface Attachment {
  /** Chosen by the client before uploading (newAttachmentId), so a message written offline can name it. */
  id: string;
  /** The file's name as the person chose it (fileNameProblem says what is accepted). */
  name: string;
  /** Bytes. */
  size: number;
  /** The MIME type the server detected from the bytes (never the client's word); `application/octet-stream` when unknown. */
  type: string;
  /** Pixels; only for raster images (RASTER_IMAGE_TYPES). */
  width?: number;
  height?: number;
}

/** The upload's header that carries the file name, URI-encoded (headers are ASCII); see docs/api.md. */
export const FILE_NAME_HEADER = "X-File-Name";

/** At most this many files on one message. */
export const MAX_ATTACHMENTS_PER_MESSAGE = 10;
/** Longest file name, in characters (most file systems stop at 255 bytes). */
export const MAX_FILE_NAME_LENGTH = 255;
/** The type the server gives bytes it does not recognise. */
export const UNKNOWN_FILE_TYPE = "application/octet-stream";

/**
 * The image types a browser shows inline and the server makes thumbnails of. SVG is not one: it can
 * carry script, so it is always a download.
 */
export const RASTER_IMAGE_TYPES: readonly string[] = [
  "image/png",
  "image/jpeg",
  "image/gif",
  "image/webp",
  "image/avif",
];

export function isRasterImageType(type: string): boolean {
  return RASTER_IMAGE_TYPES.includes(type);
}

/** Shown in the message as an image (from the thumbnail), sized from width and height before it loads. */
export function isInlineImage(attachment: Attachment): boolean {
  return (
    isRasterImageType(attachment.type) &&
    typeof attachment.width === "number" &&
    typeof attachment.height === "number" &&
    attachment.width > 0 &&
    attachment.height > 0
  );
}

/** An attachment id has the shape of every other id (schema.ts). */
export function newAttachmentId(): string {
  return newId();
}

export function isAttachmentId(value: string): boolean {
  return isId(value);
}

// Control characters (C0, DEL, C1) and the Unicode line and paragraph separators, which no file name needs.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Why a file name cannot be used, as a sentence for the person, or null when it is fine. */
export function fileNameProblem(name: string): string | null {
  if (name.trim().length === 0) return "A file needs a name.";
  if (name.length > MAX_FILE_NAME_LENGTH)
    return `A file name can be at most ${MAX_FILE_NAME_LENGTH} characters (this one has ${name.length.toLocaleString("en")}).`;
  if (name.includes("/") || name.includes("\\")) return "A file name cannot contain / or \\.";
  if (CONTROL_CHARACTERS.test(name)) return "A file name cannot contain control characters.";
  if (name === "." || name === "..") return "A file name cannot be . or ..";
  return null;
}

/** A size for people: "0 B", "999 B", "1.5 KB", "12 MB", "1.2 GB" (powers of 1,024, as file managers show). */
export function formatFileSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1024) return `${Math.max(0, Math.round(bytes || 0))} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const shown = value < 10 ? value.toFixed(1).replace(/\.0$/, "") : String(Math.round(value));
  return `${shown} ${units[unit]}`;
}

const isDimension = (value: unknown) => Number.isSafeInteger(value) && (value as number) > 0;

/** Whether a value read from an untrusted update has the shape of an Attachment (no other keys). */
export function isAttachment(value: unknown): value is Attachment {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const a = value as Record<string, unknown>;
  const keys = Object.keys(a);
  const hasWidth = "width" in a;
  const hasHeight = "height" in a;
  return (
    typeof a.id === "string" &&
    isAttachmentId(a.id) &&
    typeof a.name === "string" &&
    fileNameProblem(a.name) === null &&
    Number.isSafeInteger(a.size) &&
    (a.size as number) > 0 &&
    typeof a.type === "string" &&
    a.type.length > 0 &&
    a.type.length <= 255 &&
    hasWidth === hasHeight &&
    (!hasWidth || (isDimension(a.width) && isDimension(a.height))) &&
    keys.length === (hasWidth ? 6 : 4)
  );
}

/** Why a message's list of attachments is not acceptable, or null. */
export function attachmentsProblem(list: unknown): string | null {
  if (!Array.isArray(list)) return "a message's attachments are a list";
  if (list.length === 0) return "a message's list of attachments is left out when it is empty";
  if (list.length > MAX_ATTACHMENTS_PER_MESSAGE)
    return `A message can have at most ${MAX_ATTACHMENTS_PER_MESSAGE} files.`;
  const ids = new Set<string>();
  for (const item of list) {
    if (!isAttachment(item)) return "an attachment does not have the attachment shape";
    if (ids.has(item.id)) return "a file is attached once per message";
    ids.add(item.id);
  }
  return null;
}
