import { fileNameProblem, formatFileSize, MAX_ATTACHMENTS_PER_MESSAGE, newAttachmentId } from "@chat/model";
import { type Accessor, createSignal } from "solid-js";
import { uploadLimit } from "../device/uploadLimit";
import { looksLikeImage } from "../lib/fileKinds";
import { imagePreview } from "../lib/imagePreview";

/**
 * The files chosen for the next message (the "Attach files" button, a paste, a drop), before it is
 * sent: each with the attachment id it will be uploaded under, a preview for an image, and what is
 * wrong with it, if anything (empty, over the server's limit, a name the server refuses), so the
 * composer can say so on the file.
 */
export interface ChosenFile {
  id: string;
  name: string;
  file: Blob;
  size: number;
  type: string;
  /** A small picture of an image, for its thumbnail in the composer (null: not an image, or not yet drawn). */
  preview: Accessor<string | null>;
  problem: string | null;
}

export interface ChosenFiles {
  list: Accessor<readonly ChosenFile[]>;
  /**
   * Adds files (`nameOf` may name them otherwise, as a paste does); returns a sentence when some did
   * not fit (more than a message may carry), else null.
   */
  add(files: Iterable<File>, nameOf?: (file: File) => string): string | null;
  /** The sentence of the last `add` that left files out, until the list changes again. */
  notice: Accessor<string | null>;
  remove(id: string): void;
  /** Empties the list (after sending: the message has its own copies). */
  clear(): void;
}

/** A pasted screenshot often has no name of its own, or the browser's generic "image.png". */
export function pastedName(file: File, now = new Date()): string {
  if (file.name && file.name !== "image.png") return file.name;
  const pad = (n: number) => String(n).padStart(2, "0");
  const stamp = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())} ${pad(now.getHours())}.${pad(now.getMinutes())}.${pad(now.getSeconds())}`;
  const extension = /^image\/([a-z]+)$/.exec(file.type)?.[1]?.replace("jpeg", "jpg") ?? "png";
  return `Pasted image ${stamp}.${extension}`;
}

/** `limit`: the largest file the server takes, in bytes (null: not known yet, the server judges). */
export function fileProblem(name: string, size: number, limit: number | null): string | null {
  if (size === 0) return "This file is empty: there is nothing to send.";
  if (limit !== null && size > limit)
    return `This file is ${formatFileSize(size)}; this server takes files up to ${formatFileSize(limit)}.`;
  return fileNameProblem(name);
}

export function createChosenFiles(): ChosenFiles {
  const [list, setList] = createSignal<readonly ChosenFile[]>([]);
  const [notice, setNotice] = createSignal<string | null>(null);
  return {
    list,
    notice,
    add(files, nameOf = (file) => file.name) {
      const room = MAX_ATTACHMENTS_PER_MESSAGE - list().length;
      const incoming = [...files];
      const taken = incoming.slice(0, Math.max(0, room)).map((file): ChosenFile => {
        const name = nameOf(file);
        const id = newAttachmentId();
        const problem = fileProblem(name, file.size, uploadLimit());
        const [preview, setPreview] = createSignal<string | null>(null);
        if (!problem && looksLikeImage(file.type))
          void imagePreview(id, file, 96).then((drawn) => setPreview(drawn?.url ?? null));
        return { id, name, file, size: file.size, type: file.type, preview, problem };
      });
      if (taken.length > 0) setList((current) => [...current, ...taken]);
      const left = incoming.length - taken.length;
      const sentence =
        left <= 0
          ? null
          : `A message can carry at most ${MAX_ATTACHMENTS_PER_MESSAGE} files: ${left === 1 ? "one was" : `${left} were`} left out. Send these, then the rest.`;
      setNotice(sentence);
      return sentence;
    },
    remove(id) {
      const gone = list().find((file) => file.id === id);
      if (!gone) return;
      setNotice(null);
      setList((current) => current.filter((file) => file.id !== id));
    },
    clear() {
      setNotice(null);
      setList([]);
    },
  };
}
