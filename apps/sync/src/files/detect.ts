import { UNKNOWN_FILE_TYPE } from "@chat/model";
import { fileTypeFromBuffer } from "file-type";
import sharp from "sharp";

// Image work is CPU work on a 2-core server that also delivers messages: one libvips thread, and no
// cache of decoded images held between thumbnails.
sharp.concurrency(1);
sharp.cache(false);

/**
 * What a file is, judged from its bytes, never from its name or the client's word (a .png that is a
 * PDF is a PDF). `head` is the file's first bytes (HEAD_BYTES, or all of a smaller file): enough for
 * every signature file-type knows and, for nearly every image, for the dimensions in its header.
 */
export const HEAD_BYTES = 256 * 1024;

/** Types file-type names that browsers and sharp know under another name. */
const SAME_AS: Record<string, string> = { "image/apng": "image/png" };

export async function detectType(head: Buffer): Promise<string> {
  const found = await fileTypeFromBuffer(head);
  if (found) return SAME_AS[found.mime] ?? found.mime;
  return textType(head) ?? UNKNOWN_FILE_TYPE;
}

/**
 * Text has no signature: UTF-8 without NUL bytes is text, named more closely for SVG and HTML (so the
 * person sees what it is; both are only ever served as downloads).
 */
function textType(head: Buffer): string | null {
  if (head.includes(0)) return null;
  // A cut through the last character of the head is not a decoding error of the file.
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(trimPartialCharacter(head));
  } catch {
    return null;
  }
  const start = text
    .replace(/^\uFEFF/, "")
    .trimStart()
    .slice(0, 1024)
    .toLowerCase();
  if (start.startsWith("<svg") || (start.startsWith("<?xml") && start.includes("<svg")))
    return "image/svg+xml";
  if (start.startsWith("<!doctype html") || start.startsWith("<html")) return "text/html";
  return "text/plain";
}

function trimPartialCharacter(bytes: Buffer): Buffer {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back]!;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: look further back
    if (byte < 0x80) return bytes;
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
    return length > back ? bytes.subarray(0, bytes.length - back) : bytes;
  }
  return bytes;
}

export interface Dimensions {
  width: number;
  height: number;
}

/**
 * Width and height as the image shows (EXIF orientations 5–8 turn it a quarter), read from the header
 * by sharp; null when sharp cannot read it (a damaged or truncated image: then it is a download).
 */
export async function imageDimensions(input: Buffer): Promise<Dimensions | null> {
  try {
    const meta = await sharp(input, { failOn: "none" }).metadata();
    if (!meta.width || !meta.height) return null;
    // An animated image's metadata height is that of all its frames stacked.
    const height = meta.pageHeight ?? meta.height;
    const turned = (meta.orientation ?? 1) >= 5;
    return turned ? { width: height, height: meta.width } : { width: meta.width, height };
  } catch {
    return null;
  }
}

/** Longest side of a thumbnail, in pixels. */
export const THUMBNAIL_PX = 480;

/**
 * A WebP of at most THUMBNAIL_PX on its long side, aspect kept, turned upright, never enlarged; the
 * first frame of an animation. `input` is the whole image.
 */
export async function makeThumbnail(input: Buffer): Promise<Buffer> {
  return sharp(input, { failOn: "none" })
    .rotate()
    .resize(THUMBNAIL_PX, THUMBNAIL_PX, { fit: "inside", withoutEnlargement: true })
    .webp({ quality: 80 })
    .toBuffer();
}

/** Side of an avatar, in pixels: twice the largest it is shown (40 px on a message) for sharp screens. */
export const AVATAR_PX = 128;

/** A square WebP of AVATAR_PX, cropped from the middle, turned upright; the first frame of an animation. */
export async function makeAvatar(input: Buffer): Promise<Buffer> {
  return sharp(input, { failOn: "none" })
    .rotate()
    .resize(AVATAR_PX, AVATAR_PX, { fit: "cover", position: "attention" })
    .webp({ quality: 82 })
    .toBuffer();
}
