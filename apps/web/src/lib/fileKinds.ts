import { formatFileSize } from "@chat/model";

/**
 * How a file is described beside its name: "1.2 MB · PDF". The type is the one the server detected
 * (or, before upload, the browser's guess); a type with no short name is named by the file's extension.
 */
const TYPE_NAMES: Record<string, string> = {
  "application/pdf": "PDF",
  "image/png": "PNG image",
  "image/jpeg": "JPEG image",
  "image/gif": "GIF image",
  "image/webp": "WebP image",
  "image/avif": "AVIF image",
  "image/svg+xml": "SVG image",
  "text/plain": "Text",
  "text/csv": "CSV",
  "text/markdown": "Markdown",
  "text/html": "HTML",
  "application/json": "JSON",
  "application/zip": "ZIP archive",
  "application/gzip": "GZip archive",
  "application/x-tar": "TAR archive",
  "application/msword": "Word document",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word document",
  "application/vnd.ms-excel": "Excel spreadsheet",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel spreadsheet",
  "application/vnd.ms-powerpoint": "PowerPoint presentation",
  "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint presentation",
  "application/vnd.oasis.opendocument.text": "OpenDocument text",
  "application/vnd.oasis.opendocument.spreadsheet": "OpenDocument spreadsheet",
  "audio/mpeg": "MP3 audio",
  "video/mp4": "MP4 video",
};

export function fileTypeName(type: string, name: string): string {
  const known = TYPE_NAMES[type.toLowerCase()];
  if (known) return known;
  const extension = /\.([A-Za-z0-9]{1,8})$/.exec(name)?.[1];
  if (extension) return extension.toUpperCase();
  const [major] = type.split("/");
  if (major === "image") return "Image";
  if (major === "audio") return "Audio";
  if (major === "video") return "Video";
  return "File";
}

/** "1.2 MB · PDF" */
export function describeFile(file: { name: string; size: number; type: string }): string {
  return `${formatFileSize(file.size)} · ${fileTypeName(file.type, file.name)}`;
}

/** Whether the browser can show a file the person chose as a preview (the server decides for real later). */
export function looksLikeImage(type: string): boolean {
  return /^image\/(png|jpeg|gif|webp|avif)$/i.test(type);
}
