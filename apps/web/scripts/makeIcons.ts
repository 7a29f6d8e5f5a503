/**
 * Draws the app icons (public/icons/*.png) from the brand mark: a speech bubble on the violet
 * gradient. Run `node scripts/makeIcons.ts` from apps/web after changing the design; the PNGs are
 * committed so a build needs no image tooling. Pure Node (zlib), 4×4 supersampling for smooth edges.
 */
import { writeFileSync } from "node:fs";
import { deflateSync } from "node:zlib";

type Rgba = [number, number, number, number];

/** Whether (x, y) in a 0..1 square lies in a rounded rectangle. */
function inRoundRect(
  x: number,
  y: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  r: number,
): boolean {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

function inTriangle(x: number, y: number, a: number[], b: number[], c: number[]): boolean {
  const sign = (p: number[], q: number[], r: number[]) =>
    (p[0]! - r[0]!) * (q[1]! - r[1]!) - (q[0]! - r[0]!) * (p[1]! - r[1]!);
  const d1 = sign([x, y], a, b);
  const d2 = sign([x, y], b, c);
  const d3 = sign([x, y], c, a);
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
}

/** The icon at (x, y) of a 0..1 square; `maskable` fills the square and keeps the bubble in the safe zone. */
function shade(x: number, y: number, maskable: boolean): Rgba {
  const inside = maskable || inRoundRect(x, y, 0, 0, 1, 1, 0.22);
  if (!inside) return [0, 0, 0, 0];
  // The bubble, in a box that is the whole icon (or the central 60% for a maskable icon).
  const scale = maskable ? 0.6 : 1;
  const bx = (x - 0.5) / scale + 0.5;
  const by = (y - 0.5) / scale + 0.5;
  const bubble =
    inRoundRect(bx, by, 0.22, 0.22, 0.78, 0.66, 0.1) ||
    inTriangle(bx, by, [0.33, 0.6], [0.47, 0.64], [0.31, 0.8]);
  if (bubble) return [255, 255, 255, 255];
  // 135° gradient from indigo (#6366f1) to violet (#a855f7).
  const t = (x + y) / 2;
  return [
    Math.round(0x63 + (0xa8 - 0x63) * t),
    Math.round(0x66 + (0x55 - 0x66) * t),
    Math.round(0xf1 + (0xf7 - 0xf1) * t),
    255,
  ];
}

function render(size: number, maskable: boolean): Buffer {
  const samples = 4;
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let py = 0; py < size; py++) {
    raw[py * (size * 4 + 1)] = 0; // filter type: none
    for (let px = 0; px < size; px++) {
      const sum = [0, 0, 0, 0];
      for (let sy = 0; sy < samples; sy++)
        for (let sx = 0; sx < samples; sx++) {
          const [r, g, b, a] = shade(
            (px + (sx + 0.5) / samples) / size,
            (py + (sy + 0.5) / samples) / size,
            maskable,
          );
          sum[0]! += r * a;
          sum[1]! += g * a;
          sum[2]! += b * a;
          sum[3]! += a;
        }
      const offset = py * (size * 4 + 1) + 1 + px * 4;
      const alpha = sum[3]!;
      raw[offset] = alpha ? Math.round(sum[0]! / alpha) : 0;
      raw[offset + 1] = alpha ? Math.round(sum[1]! / alpha) : 0;
      raw[offset + 2] = alpha ? Math.round(sum[2]! / alpha) : 0;
      raw[offset + 3] = Math.round(alpha / (samples * samples));
    }
  }
  return png(size, raw);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function png(size: number, raw: Buffer): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

const out = new URL("../public/icons/", import.meta.url);
writeFileSync(new URL("icon-192.png", out), render(192, false));
writeFileSync(new URL("icon-512.png", out), render(512, false));
writeFileSync(new URL("maskable-512.png", out), render(512, true));
writeFileSync(new URL("apple-touch-icon-180.png", out), render(180, true));
console.log("icons written to public/icons/");
