import { useRegisterSW } from "virtual:pwa-register/solid";
import { Show } from "solid-js";
import { outdated } from "../state/session";

/**
 * Registers the service worker and says when this copy of the app is behind: a new deployment is
 * waiting ("Update available — reload"), or the server speaks a newer document schema, in which case
 * this copy has stopped writing (see RoomView) until the person reloads.
 */
export function UpdatePrompt() {
  const {
    needRefresh: [needRefresh],
    updateServiceWorker,
  } = useRegisterSW({
    onRegisterError: (error) => console.error("the service worker could not be registered", error),
  });
  const reload = () => {
    // With a new worker waiting, activate it first (it reloads the page); otherwise just reload.
    if (needRefresh()) void updateServiceWorker(true);
    else window.location.reload();
  };
  return (
    <Show when={needRefresh() || outdated()}>
      <div class="banner" role="alert">
        <span>
          {outdated()
            ? "This version of Chat is out of date: your messages are kept here until you reload."
            : "Update available"}
        </span>
        <button type="button" class="button small primary" onClick={reload}>
          Reload
        </button>
      </div>
    </Show>
  );
}
