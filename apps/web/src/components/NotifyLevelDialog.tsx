import type { NotifyLevel, RoomMeta } from "@chat/model";
import { For } from "solid-js";
import { useWorkspace } from "../state/workspace";
import { Modal } from "../ui/Modal";
import "./notify.css";

const LEVELS: { level: NotifyLevel; label: string; hint: string }[] = [
  { level: "all", label: "All messages", hint: "Every new message here notifies you." },
  {
    level: "mentions",
    label: "Mentions only",
    hint: "Only messages that mention you notify you; the room still shows its unread count.",
  },
  {
    level: "nothing",
    label: "Nothing",
    hint: "Muted: no notifications, and no unread count in the list of rooms. Mentions still count.",
  },
];

/**
 * The room menu's "Notifications": a radio group "Notify me". The level is kept in the person's own
 * index document, so it applies at once here and on their other devices, and the server follows it
 * for pushes. A choice is saved as it is made; the dialog only closes.
 */
export function NotifyLevelDialog(props: { meta: RoomMeta; onClose: () => void }) {
  const workspace = useWorkspace();
  let dialog!: HTMLDialogElement;
  const level = () => workspace.notifyLevel(props.meta.id, props.meta.kind);
  return (
    <Modal
      ref={dialog}
      labelledBy="notify-level-title"
      focus={(element) => element.querySelector<HTMLElement>("input:checked")}
      onClose={props.onClose}
    >
      <div class="dialog-card">
        <h2 id="notify-level-title">Notifications</h2>
        <p class="dialog-intro">For {props.meta.name}, on all your devices.</p>
        <div class="notify-levels" role="radiogroup" aria-labelledby="notify-me-label">
          <p id="notify-me-label" class="notify-levels-label">
            Notify me
          </p>
          <For each={LEVELS}>
            {(choice) => (
              <label class="notify-level">
                <input
                  type="radio"
                  name="notify-level"
                  value={choice.level}
                  checked={level() === choice.level}
                  aria-describedby={`notify-hint-${choice.level}`}
                  onChange={() => workspace.setNotifyLevel(props.meta.id, choice.level)}
                />
                <span>
                  <span class="notify-level-name">{choice.label}</span>
                  <span id={`notify-hint-${choice.level}`} class="field-hint">
                    {choice.hint}
                  </span>
                </span>
              </label>
            )}
          </For>
        </div>
        <div class="dialog-actions">
          <button type="button" class="button ghost" onClick={() => dialog.close()}>
            Close
          </button>
        </div>
      </div>
    </Modal>
  );
}

/** A bell, struck through when the room is muted. */
export function BellIcon(props: { muted?: boolean; size?: number }) {
  const size = () => props.size ?? 18;
  return (
    <svg viewBox="0 0 24 24" width={size()} height={size()} aria-hidden="true" fill="none">
      <path
        d="M6 16V11a6 6 0 0 1 12 0v5l1.5 2h-15L6 16zM10 20a2 2 0 0 0 4 0"
        stroke="currentColor"
        stroke-width="1.8"
        stroke-linejoin="round"
        stroke-linecap="round"
      />
      {props.muted && <path d="M4 4l16 16" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" />}
    </svg>
  );
}
