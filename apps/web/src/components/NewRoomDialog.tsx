import { normalizeRoomName, roomNameProblem } from "@chat/model";
import { createSignal, Show } from "solid-js";
import { createRoom } from "../lib/api";
import { navigate, roomPath } from "../lib/router";
import { Modal } from "../ui/Modal";

/**
 * Dialog "New room": a name and "Private". POST /api/rooms; the server's refusal is shown in role=alert
 * inside the dialog. On success it opens the room; everyone else sees it appear through the directory.
 */
export function NewRoomDialog(props: { onClose: () => void; onCreated: () => void }) {
  let dialog!: HTMLDialogElement;
  let nameInput!: HTMLInputElement;
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (busy()) return;
    const data = new FormData(event.currentTarget as HTMLFormElement);
    const name = normalizeRoomName(String(data.get("name") ?? ""));
    const problem = roomNameProblem(name);
    if (problem) {
      setError(problem);
      nameInput.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const room = await createRoom(name, data.get("private") === "on");
      dialog.close();
      navigate(roomPath(room.id));
      props.onCreated();
    } catch (failure) {
      setError((failure as Error).message);
      nameInput.focus();
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal ref={dialog} labelledBy="new-room-title" focus={() => nameInput} onClose={props.onClose}>
      <form class="dialog-card" onSubmit={submit} aria-busy={busy()} novalidate>
        <h2 id="new-room-title">New room</h2>
        <p class="dialog-intro">Rooms are where your team talks about a topic.</p>
        <div class="field">
          <label for="new-room-name">Room name</label>
          <input
            ref={nameInput}
            id="new-room-name"
            name="name"
            type="text"
            maxlength={200}
            autocomplete="off"
            placeholder="e.g. design-reviews"
            aria-invalid={error() ? true : undefined}
          />
        </div>
        <div class="checkbox-field">
          <input
            id="new-room-private"
            name="private"
            type="checkbox"
            aria-describedby="new-room-private-hint"
          />
          <div>
            <label for="new-room-private">Private</label>
            <p id="new-room-private-hint" class="field-hint">
              Only people who are invited can find and read it.
            </p>
          </div>
        </div>
        <Show when={error()}>
          <p class="form-error" role="alert">
            {error()}
          </p>
        </Show>
        <div class="dialog-actions">
          <button type="button" class="button ghost" onClick={() => dialog.close()}>
            Cancel
          </button>
          <button type="submit" class="button primary" disabled={busy()}>
            <Show when={busy()}>
              <span class="spinner" aria-hidden="true" />
            </Show>
            Create
          </button>
        </div>
      </form>
    </Modal>
  );
}
