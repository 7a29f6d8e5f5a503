import { formatFileSize } from "@chat/model";
import { createResource, createSignal, Show } from "solid-js";
import { Modal } from "../ui/Modal";

/** One image the viewer can show. */
export interface ViewedImage {
  name: string;
  size: number;
  /** Full size. */
  src?: string;
  /** Full size, for an image still only on this device (drawn when shown). */
  load?: () => Promise<string | null>;
  /** Shown when the full size cannot load (offline and never opened before): the thumbnail. */
  fallback?: string;
  /** A link that downloads it (none for a file still on this device only). */
  download?: string;
  width?: number;
  height?: number;
}

/**
 * The image viewer: one of a message's images at full size in a dialog named by its file name.
 * Escape (or a click beside it) closes it; the Left and Right arrow keys and the buttons move
 * between the message's images.
 */
export function ImageViewer(props: { images: readonly ViewedImage[]; start: number; onClose: () => void }) {
  const [at, setAt] = createSignal(Math.min(Math.max(0, props.start), props.images.length - 1));
  const [failed, setFailed] = createSignal<ReadonlySet<string>>(new Set());
  const image = () => props.images[at()]!;
  const many = () => props.images.length > 1;
  const move = (step: number) => {
    const count = props.images.length;
    setAt((i) => (i + step + count) % count);
  };
  const [loaded] = createResource(image, (shown) => shown.load?.() ?? null);
  const source = () => {
    const shown = image();
    if (shown.load) return loaded() ?? undefined;
    return shown.src && failed().has(shown.src) && shown.fallback ? shown.fallback : shown.src;
  };
  let dialog!: HTMLDialogElement;

  return (
    <Modal
      ref={(element) => {
        dialog = element;
        element.addEventListener("keydown", (event) => {
          if (!many() || event.altKey || event.ctrlKey || event.metaKey) return;
          if (event.key === "ArrowRight") move(1);
          else if (event.key === "ArrowLeft") move(-1);
          else return;
          event.preventDefault();
        });
      }}
      class="image-viewer"
      label={image().name}
      focus={(element) => element.querySelector<HTMLElement>(".image-viewer-close")}
      onClose={props.onClose}
    >
      <div class="image-viewer-bar">
        <span class="image-viewer-name" title={image().name}>
          {image().name}
        </span>
        <span class="image-viewer-meta">
          <span class="image-viewer-size">{formatFileSize(image().size)}</span>
          <Show when={many()}>
            <span class="image-viewer-position">{`${at() + 1} of ${props.images.length}`}</span>
          </Show>
        </span>
        <Show when={image().download}>
          {(href) => (
            <a class="button ghost small" href={href()} download={image().name}>
              Download
            </a>
          )}
        </Show>
        <button
          type="button"
          class="button ghost small image-viewer-close"
          aria-label="Close"
          title="Close (Esc)"
          onClick={() => dialog.close()}
        >
          ×
        </button>
      </div>
      <div class="image-viewer-stage">
        <Show when={many()}>
          <button
            type="button"
            class="image-viewer-step previous"
            aria-label="Previous image"
            onClick={() => move(-1)}
          >
            ‹
          </button>
        </Show>
        <img
          class="image-viewer-image"
          src={source()}
          alt={image().name}
          width={image().width}
          height={image().height}
          onError={() => {
            const src = image().src;
            if (src && !failed().has(src)) setFailed((set) => new Set([...set, src]));
          }}
        />
        <Show when={many()}>
          <button
            type="button"
            class="image-viewer-step next"
            aria-label="Next image"
            onClick={() => move(1)}
          >
            ›
          </button>
        </Show>
      </div>
    </Modal>
  );
}
