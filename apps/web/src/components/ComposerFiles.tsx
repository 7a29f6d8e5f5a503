import { formatFileSize } from "@chat/model";
import { For, Show } from "solid-js";
import { FileIcon } from "../ui/Icons";
import type { ChosenFile } from "./chosenFiles";
import "./files.css";

/**
 * The files chosen for the next message, above the message box: each with a thumbnail (an image) or
 * a file icon, its name and size, what is wrong with it if anything, and "Remove NAME".
 */
export function ComposerFiles(props: { files: readonly ChosenFile[]; onRemove: (id: string) => void }) {
  return (
    <ul class="composer-files" aria-label="Files to send">
      <For each={props.files}>
        {(file) => (
          <li class="file-chip" classList={{ invalid: file.problem !== null }}>
            <Show
              when={file.preview()}
              fallback={
                <span class="file-chip-icon">
                  <FileIcon size={22} />
                </span>
              }
            >
              {(src) => <img class="file-chip-thumb" src={src()} alt="" />}
            </Show>
            <span class="file-chip-text">
              <span class="file-chip-name" title={file.name}>
                {file.name}
              </span>
              <Show
                when={file.problem}
                fallback={<span class="file-chip-size">{formatFileSize(file.size)}</span>}
              >
                <span class="file-chip-problem" role="alert">
                  {file.problem}
                </span>
              </Show>
            </span>
            <button
              type="button"
              class="icon-button small file-chip-remove"
              aria-label={`Remove ${file.name}`}
              title="Remove"
              onClick={() => props.onRemove(file.id)}
            >
              <svg viewBox="0 0 24 24" width="14" height="14" aria-hidden="true">
                <path
                  d="M6 6l12 12M18 6 6 18"
                  fill="none"
                  stroke="currentColor"
                  stroke-width="2.2"
                  stroke-linecap="round"
                />
              </svg>
            </button>
          </li>
        )}
      </For>
    </ul>
  );
}
