/**
 * A picture of an image file that is still only on this device (chosen in the composer, or waiting
 * to upload), scaled down to at most `maxSide` pixels, as a data: URL, with the image's own size: the
 * message's box is sized from it before the server has measured the image, and a 20 MB photo is
 * decoded once here rather than each time its message is drawn. Made once per file and size, and
 * kept for the last few dozen.
 */
export interface ImagePreview {
  url: string;
  /** The image's own size, in pixels. */
  width: number;
  height: number;
}

const KEPT = 60;
const made = new Map<string, Promise<ImagePreview | null>>();

export function imagePreview(key: string, image: Blob, maxSide: number): Promise<ImagePreview | null> {
  const id = `${key}:${maxSide}`;
  let preview = made.get(id);
  if (!preview) {
    preview = draw(image, maxSide);
    made.set(id, preview);
    if (made.size > KEPT) made.delete(made.keys().next().value!);
  }
  return preview;
}

async function draw(image: Blob, maxSide: number): Promise<ImagePreview | null> {
  try {
    const bitmap = await createImageBitmap(image);
    const { width, height } = bitmap;
    const scale = Math.min(1, maxSide / Math.max(width, height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round(height * scale));
    canvas.getContext("2d")?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    // WebP keeps transparency (a screenshot of a window) at a fraction of PNG's size.
    return { url: canvas.toDataURL("image/webp", 0.85), width, height };
  } catch {
    // Not an image the browser can read after all: the file shows as a file.
    return null;
  }
}
