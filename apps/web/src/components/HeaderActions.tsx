import { createSignal, Show } from "solid-js";
import { Portal } from "solid-js/web";
import { useWorkspace } from "../state/workspace";
import { AddPersonIcon, GearIcon } from "../ui/Icons";
import { InviteDialog } from "./InviteDialog";
import { SettingsDialog } from "./SettingsDialog";

/** Header buttons "Invite people" and "Settings", and the dialogs they open. */
export function HeaderActions() {
  const workspace = useWorkspace();
  const [open, setOpen] = createSignal<"invite" | "settings" | null>(null);
  const isAdmin = () => workspace.me.isAdmin === true;
  return (
    <>
      <button
        type="button"
        class="icon-button header-action"
        aria-label="Invite people"
        title="Invite people"
        onClick={() => setOpen("invite")}
      >
        <AddPersonIcon />
      </button>
      <button
        type="button"
        class="icon-button header-action"
        aria-label="Settings"
        title="Settings"
        onClick={() => setOpen("settings")}
      >
        <GearIcon />
      </button>
      <Show when={open() === "invite"}>
        <Portal>
          <InviteDialog isAdmin={isAdmin()} onClose={() => setOpen(null)} />
        </Portal>
      </Show>
      <Show when={open() === "settings"}>
        <Portal>
          <SettingsDialog isAdmin={isAdmin()} onClose={() => setOpen(null)} />
        </Portal>
      </Show>
    </>
  );
}
