import { createSignal, Show } from "solid-js";
import { joinRoom } from "../lib/api";

/**
 * In place of the composer in a public room the person is not in (a preview: the server lets them read
 * it, not write it): "Join room". Joining is asked of the server; the server then closes this
 * device's read-only copies of the room, which reopen writable (sync/docs.ts), and the room document's
 * member list, now with the person in it, brings the composer back.
 */
export function JoinBar(props: { roomId: string; name: string }) {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const join = async () => {
    if (busy()) return;
    setBusy(true);
    setError(null);
    try {
      await joinRoom(props.roomId);
    } catch (failure) {
      setError((failure as Error).message);
      setBusy(false);
    }
  };
  return (
    <div class="join-bar">
      <p>
        You are previewing <strong>#{props.name}</strong>. Join it to write here and follow its messages.
      </p>
      <Show when={error()}>
        <p class="form-error" role="alert">
          {error()}
        </p>
      </Show>
      <button type="button" class="button primary" disabled={busy()} onClick={() => void join()}>
        Join room
      </button>
    </div>
  );
}
