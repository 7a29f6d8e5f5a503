import { type Attachment, isInlineImage } from "@chat/model";
import { createMemo, createResource, createSignal, For, type JSX, Match, Show, Switch } from "solid-js";
import type { OutboxFile, OutboxMessage } from "../device/fileOutbox";
import { fileUrl, thumbnailUrl } from "../lib/api";
import { describeFile, looksLikeImage } from "../lib/fileKinds";
import { imagePreview } from "../lib/imagePreview";
import type { FileSender } from "../sync/fileSender";
import { FileIcon } from "../ui/Icons";
import { ImageViewer, type ViewedImage } from "./ImageViewer";
import "./files.css";

/**
 * A message's files under its text. An image shows inline from its thumbnail as an `img` whose alt
 * text is the file name, in a box sized from its stored width and height (nothing jumps while it
 * loads); a click opens the viewer. Any other file is a link named by its file name that downloads
 * it, with its size and type beside it.
 *
 * A message still waiting on this device for its uploads (`outgoing`) shows its files from the
 * device's copies, each with its progress while it uploads ("Uploading NAME"), and a refused one
 * with the server's sentence and the choice to retry or remove it.
 */

/** The largest box an inline image takes (it scales down to fit a narrow screen). */
const MAX_WIDTH = 360;
const MAX_HEIGHT = 280;
/** Pictures drawn from this device's copy of an image: inline (twice the box, for sharp screens), and in the viewer. */
const LOCAL_INLINE_SIZE = 720;
const LOCAL_FULL_SIZE = 2048;

function displayWidth(width: number, height: number): number {
  return Math.max(1, Math.round(Math.min(width, MAX_WIDTH, (MAX_HEIGHT * width) / height)));
}

/** The box of an image: its width, and its aspect ratio so the height follows when the width shrinks. */
function imageBox(width: number | undefined, height: number | undefined): JSX.CSSProperties {
  // Not known yet (a picture still being drawn): a placeholder of a common shape.
  if (!width || !height) return { width: "160px", "aspect-ratio": "4 / 3" };
  return { width: `${displayWidth(width, height)}px`, "aspect-ratio": `${width} / ${height}` };
}

export function Attachments(props: {
  attachments: readonly Attachment[];
  outgoing?: OutboxMessage;
  sender?: FileSender;
}) {
  const [viewing, setViewing] = createSignal<number | null>(null);

  const sentImages = createMemo(() => props.attachments.filter(isInlineImage));
  const viewed = createMemo<ViewedImage[]>(() => {
    const outgoing = props.outgoing;
    if (outgoing)
      return outgoing.files
        .filter((file) => looksLikeImage(file.stored?.type ?? file.localType))
        .map((file) => ({
          name: file.name,
          size: file.size,
          // Drawn from the device's copy when shown: it is not on the server yet.
          load: () => imagePreview(file.id, file.blob, LOCAL_FULL_SIZE).then((drawn) => drawn?.url ?? null),
          width: file.stored?.width,
          height: file.stored?.height,
        }));
    return sentImages().map((image) => ({
      name: image.name,
      size: image.size,
      src: fileUrl(image.id),
      fallback: thumbnailUrl(image.id),
      download: fileUrl(image.id, { download: true }),
      width: image.width,
      height: image.height,
    }));
  });
  const open = (name: string) => {
    const at = viewed().findIndex((image) => image.name === name);
    setViewing(Math.max(0, at));
  };
  const openAt = (index: number) => setViewing(index);

  const messageProblem = () => (props.outgoing ? (props.sender?.problem(props.outgoing.id) ?? null) : null);

  return (
    <div class="attachments">
      <Show when={messageProblem()}>
        {(problem) => (
          <div class="upload-refused" role="alert">
            <span>{problem().text}</span>
            <Show when={problem().blocking}>
              <span class="upload-refused-actions">
                <button
                  type="button"
                  class="button ghost small"
                  onClick={() => props.sender?.discard(props.outgoing!.id)}
                >
                  Discard message
                </button>
              </span>
            </Show>
          </div>
        )}
      </Show>
      <Show
        when={props.outgoing}
        fallback={
          <For each={props.attachments}>
            {(attachment) => (
              <Show when={isInlineImage(attachment)} fallback={<FileLink attachment={attachment} />}>
                <button
                  type="button"
                  class="attachment-image"
                  style={imageBox(attachment.width, attachment.height)}
                  onClick={() => openAt(sentImages().indexOf(attachment))}
                >
                  <img
                    src={thumbnailUrl(attachment.id)}
                    alt={attachment.name}
                    width={attachment.width}
                    height={attachment.height}
                    loading="lazy"
                    decoding="async"
                  />
                </button>
              </Show>
            )}
          </For>
        }
      >
        {(outgoing) => (
          <For each={outgoing().files}>
            {(file) => (
              <OutgoingFile
                file={file}
                messageId={outgoing().id}
                sender={props.sender}
                onOpen={() => open(file.name)}
              />
            )}
          </For>
        )}
      </Show>
      <Show when={viewing() !== null && viewed().length > 0}>
        <ImageViewer images={viewed()} start={viewing()!} onClose={() => setViewing(null)} />
      </Show>
    </div>
  );
}

function FileLink(props: { attachment: Attachment }) {
  return (
    <div class="attachment-file">
      <span class="attachment-file-icon">
        <FileIcon />
      </span>
      <span class="attachment-file-text">
        <a
          class="attachment-file-name"
          href={fileUrl(props.attachment.id, { download: true })}
          download={props.attachment.name}
        >
          {props.attachment.name}
        </a>
        <span class="attachment-file-meta">{describeFile(props.attachment)}</span>
      </span>
    </div>
  );
}

function LocalFileCard(props: { file: OutboxFile; type: string }) {
  return (
    <div class="attachment-file">
      <span class="attachment-file-icon">
        <FileIcon />
      </span>
      <span class="attachment-file-text">
        <span class="attachment-file-name">{props.file.name}</span>
        <span class="attachment-file-meta">
          {describeFile({ name: props.file.name, size: props.file.size, type: props.type })}
        </span>
      </span>
    </div>
  );
}

/** One file of a message waiting on this device: its preview, then its upload's state. */
function OutgoingFile(props: {
  file: OutboxFile;
  messageId: string;
  sender: FileSender | undefined;
  onOpen: () => void;
}) {
  const file = () => props.file;
  const type = () => file().stored?.type ?? file().localType;
  const progress = () => props.sender?.progress(file().id) ?? null;
  // An image is drawn from the device's copy (sized from it, so the box does not change when the
  // server's copy takes over); one the browser cannot read shows as a file.
  const [preview] = createResource(
    () => (looksLikeImage(type()) ? file().id : null),
    (id) => imagePreview(id, file().blob, LOCAL_INLINE_SIZE),
  );
  // While the picture is drawn (undefined) the box is there already; null: not readable as an image.
  const showsImage = () => looksLikeImage(type()) && preview() !== null;
  const width = () => file().stored?.width ?? preview()?.width;
  const height = () => file().stored?.height ?? preview()?.height;
  const percent = () => Math.round((progress() ?? 0) * 100);
  return (
    <div class="outgoing-file" classList={{ refused: file().problem !== undefined }}>
      <Show when={showsImage()} fallback={<LocalFileCard file={file()} type={type()} />}>
        <button
          type="button"
          class="attachment-image"
          style={imageBox(width(), height())}
          onClick={() => props.onOpen()}
        >
          <Show when={preview()}>{(drawn) => <img src={drawn().url} alt={file().name} />}</Show>
        </button>
      </Show>
      <Switch>
        <Match when={file().problem}>
          {(problem) => (
            <div class="upload-refused" role="alert">
              <span>
                {file().name}: {problem()}
              </span>
              <span class="upload-refused-actions">
                <button
                  type="button"
                  class="button ghost small"
                  aria-label={`Retry ${file().name}`}
                  onClick={() => props.sender?.retry(props.messageId)}
                >
                  Retry
                </button>
                <button
                  type="button"
                  class="button ghost small"
                  aria-label={`Remove ${file().name}`}
                  onClick={() => props.sender?.removeFile(props.messageId, file().id)}
                >
                  Remove
                </button>
              </span>
            </div>
          )}
        </Match>
        <Match when={progress() !== null}>
          <div
            class="upload-progress"
            role="progressbar"
            aria-label={`Uploading ${file().name}`}
            aria-valuemin="0"
            aria-valuemax="100"
            aria-valuenow={percent()}
          >
            <span class="upload-progress-bar" style={{ width: `${percent()}%` }} />
          </div>
        </Match>
        <Match when={!file().stored}>
          <span class="upload-waiting">Waiting to upload</span>
        </Match>
      </Switch>
    </div>
  );
}
