import { createSignal, type JSX, Show } from "solid-js";
import { Modal } from "../ui/Modal";

/**
 * A modal dialog with a form: a title (its accessible name), fields, the server's refusal in
 * role=alert, Cancel and a submit button. `onSubmit` resolves to close, or throws a sentence to show.
 */
export function RoomDialog(props: {
  title: string;
  intro?: string;
  submitLabel: string;
  onSubmit: (data: FormData) => Promise<void>;
  onClose: () => void;
  children: JSX.Element;
  extraActions?: (run: (work: () => Promise<void>) => void) => JSX.Element;
}) {
  let dialog!: HTMLDialogElement;
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);

  const run = async (work: () => Promise<void>) => {
    if (busy()) return;
    setBusy(true);
    setError(null);
    try {
      await work();
      dialog.close();
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      ref={dialog}
      label={props.title}
      focus={(element) => element.querySelector<HTMLElement>("input, textarea")}
      onClose={props.onClose}
    >
      <form
        class="dialog-card"
        aria-busy={busy()}
        novalidate
        onSubmit={(event) => {
          event.preventDefault();
          const data = new FormData(event.currentTarget);
          void run(() => props.onSubmit(data));
        }}
      >
        <h2>{props.title}</h2>
        <Show when={props.intro}>
          <p class="dialog-intro">{props.intro}</p>
        </Show>
        {props.children}
        <Show when={error()}>
          <p class="form-error" role="alert">
            {error()}
          </p>
        </Show>
        <div class="dialog-actions">
          {props.extraActions?.((work) => void run(work))}
          <button type="button" class="button ghost" onClick={() => dialog.close()}>
            Cancel
          </button>
          <button type="submit" class="button primary" disabled={busy()}>
            {props.submitLabel}
          </button>
        </div>
      </form>
    </Modal>
  );
}
