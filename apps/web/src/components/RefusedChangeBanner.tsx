import { Show } from "solid-js";
import { useWorkspace } from "../state/workspace";

/**
 * Says when the server refused a change made on this device (a write that breaks the rules, docs/api.md
 * 4403): the change has been removed from the device and is not sent again. An open room is opened
 * afresh from the server at once; what is held elsewhere (older history, the person's own settings
 * and drafts) shows the change until a reload, which the banner offers.
 */
export function RefusedChangeBanner() {
  const workspace = useWorkspace();
  return (
    <Show when={workspace.refusedChange()} keyed>
      {(refused) => (
        <div class="banner" role="alert">
          <span>
            The server refused a change made here ({refused.explanation}); it has been undone on this device.
          </span>
          <button type="button" class="button small primary" onClick={() => window.location.reload()}>
            Reload
          </button>
        </div>
      )}
    </Show>
  );
}
