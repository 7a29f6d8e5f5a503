import { createSignal, Show } from "solid-js";
import { Portal } from "solid-js/web";
import { useWorkspace } from "../sync/workspace";
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
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
          <path
            d="M15 19v-1a4 4 0 0 0-4-4H7a4 4 0 0 0-4 4v1M9 10a3 3 0 1 0 0-6 3 3 0 0 0 0 6M19 8v6M16 11h6"
            fill="none"
            stroke="currentColor"
            stroke-width="2"
            stroke-linecap="round"
            stroke-linejoin="round"
          />
        </svg>
      </button>
      <button
        type="button"
        class="icon-button header-action"
        aria-label="Settings"
        title="Settings"
        onClick={() => setOpen("settings")}
      >
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
          <circle cx="12" cy="12" r="3" fill="none" stroke="currentColor" stroke-width="2" />
          <path
            d="M19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 1 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 1 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1z"
            fill="none"
            stroke="currentColor"
            stroke-width="1.6"
            stroke-linecap="round"
            stroke-linejoin="round"
          />
        </svg>
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
