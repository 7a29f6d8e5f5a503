import { Modal } from "../ui/Modal";

/**
 * Dialog "Sign out?": shown only when something has not reached the server yet, because signing out
 * removes everything this device keeps for the person, the waiting messages and files with it.
 */
export function SignOutDialog(props: { pending: number; onConfirm: () => void; onClose: () => void }) {
  let dialog!: HTMLDialogElement;
  let stay!: HTMLButtonElement;
  const what = () => (props.pending === 1 ? "1 change has" : `${props.pending} changes have`);
  return (
    <Modal ref={dialog} labelledBy="sign-out-title" focus={() => stay} onClose={props.onClose}>
      <div class="dialog-card">
        <h2 id="sign-out-title">Sign out?</h2>
        <p class="dialog-intro">
          {what()} not reached the server yet (messages, files or edits waiting for the network). Signing out
          removes them from this device for good.
        </p>
        <div class="dialog-actions">
          <button ref={stay} type="button" class="button ghost" onClick={() => dialog.close()}>
            Stay signed in
          </button>
          <button
            type="button"
            class="button danger"
            onClick={() => {
              dialog.close();
              props.onConfirm();
            }}
          >
            Sign out and discard
          </button>
        </div>
      </div>
    </Modal>
  );
}
