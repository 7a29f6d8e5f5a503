import { For } from "solid-js";
import { Modal } from "../ui/Modal";
import "./keyboard.css";

/** Every keyboard shortcut of the app, as the dialog lists them ("?" opens it outside a text box). */
export const SHORTCUTS: ReadonlyArray<{ keys: string[]; what: string }> = [
  { keys: ["Ctrl", "K"], what: "Jump to a room or person (⌘ K on a Mac)" },
  { keys: ["Alt", "↑"], what: "Previous conversation in the sidebar" },
  { keys: ["Alt", "↓"], what: "Next conversation in the sidebar" },
  { keys: ["Alt", "Shift", "↑"], what: "Previous conversation with unread messages" },
  { keys: ["Alt", "Shift", "↓"], what: "Next conversation with unread messages" },
  { keys: ["↑"], what: "In an empty message box: edit your last message" },
  { keys: ["Enter"], what: "Send the message (Shift Enter for a new line)" },
  { keys: ["Escape"], what: "Close a dialog, a menu or the edit box; otherwise, in a room: mark it read" },
  { keys: ["?"], what: "This list of shortcuts" },
];

/** Dialog "Keyboard shortcuts". */
export function ShortcutsDialog(props: { onClose: () => void }) {
  let dialog!: HTMLDialogElement;
  return (
    <Modal ref={dialog} class="shortcuts-dialog" labelledBy="shortcuts-title" onClose={props.onClose}>
      <div class="dialog-card">
        <h2 id="shortcuts-title">Keyboard shortcuts</h2>
        <dl class="shortcut-list">
          <For each={SHORTCUTS}>
            {(shortcut) => (
              <div class="shortcut">
                <dt>
                  <For each={shortcut.keys}>{(key) => <kbd>{key}</kbd>}</For>
                </dt>
                <dd>{shortcut.what}</dd>
              </div>
            )}
          </For>
        </dl>
        <div class="dialog-actions">
          <button type="button" class="button ghost" onClick={() => dialog.close()}>
            Close
          </button>
        </div>
      </div>
    </Modal>
  );
}
