import { canAddPeople, canManageRoom, type RoomMeta } from "@chat/model";
import { createSignal, For, Show } from "solid-js";
import { Portal } from "solid-js/web";
import { addPerson, updateRoom } from "../lib/api";
import { useWorkspace } from "../state/workspace";
import type { DocHandle } from "../sync/docs";
import { AddPersonIcon, GearIcon, PeopleIcon } from "../ui/Icons";
import { MembersDialog } from "./MembersDialog";
import { BellIcon, NotifyLevelDialog } from "./NotifyLevelDialog";
import { RoomDialog } from "./RoomDialog";

const LEVEL_NAMES = { all: "All messages", mentions: "Mentions only", nothing: "Nothing" } as const;

/**
 * The room header's actions: "Notifications" (how the room notifies me), "Members" (who is in it; leaving and removing), "Add people" for members
 * of a room that is not a DM or archived, and "Room settings" (rename, topic, archive) for the room's
 * creator. Nothing for a DM: its two people are in the header already, and neither can leave.
 */
export function RoomActions(props: { meta: RoomMeta; room: DocHandle }) {
  const workspace = useWorkspace();
  const [open, setOpen] = createSignal<"members" | "add" | "settings" | "notify" | null>(null);
  const isMember = () => workspace.indexEntry(props.meta.id) !== undefined;
  const others = () => workspace.users().filter((user) => user.id !== workspace.me.id);

  return (
    <div class="room-actions">
      <Show when={props.meta.kind !== "dm"}>
        <button
          type="button"
          class="button ghost small room-action"
          title="Members"
          aria-haspopup="dialog"
          onClick={() => setOpen("members")}
        >
          <PeopleIcon size={18} />
          <span class="room-action-label">Members</span>
        </button>
      </Show>
      {/* A direct conversation always notifies ("All messages"): nothing to choose there. */}
      <Show when={(props.meta.kind === "channel" || props.meta.kind === "private") && isMember()}>
        <button
          type="button"
          class="button ghost small room-action"
          title={`Notifications: ${LEVEL_NAMES[workspace.notifyLevel(props.meta.id, props.meta.kind)]}`}
          aria-haspopup="dialog"
          onClick={() => setOpen("notify")}
        >
          <BellIcon muted={workspace.notifyLevel(props.meta.id, props.meta.kind) === "nothing"} />
          <span class="room-action-label">Notifications</span>
        </button>
      </Show>
      <Show when={canAddPeople(props.meta, isMember())}>
        <button
          type="button"
          class="button ghost small room-action"
          title="Add people"
          onClick={() => setOpen("add")}
        >
          <AddPersonIcon size={18} />
          <span class="room-action-label">Add people</span>
        </button>
      </Show>
      <Show when={canManageRoom(props.meta, workspace.me.id)}>
        <button
          type="button"
          class="button ghost small room-action"
          title="Room settings"
          onClick={() => setOpen("settings")}
        >
          <GearIcon size={18} />
          <span class="room-action-label">Room settings</span>
        </button>
      </Show>
      <Show when={open() === "members"}>
        <Portal>
          <MembersDialog meta={props.meta} room={props.room} onClose={() => setOpen(null)} />
        </Portal>
      </Show>
      <Show when={open() === "notify"}>
        <Portal>
          <NotifyLevelDialog meta={props.meta} onClose={() => setOpen(null)} />
        </Portal>
      </Show>
      <Show when={open() === "add"}>
        <Portal>
          <RoomDialog
            title="Add people"
            intro={`Bring someone into ${props.meta.name}. They can read its history from now on.`}
            submitLabel="Add"
            onClose={() => setOpen(null)}
            onSubmit={async (data) => {
              const username = String(data.get("username") ?? "").trim();
              if (!username) throw new Error("Type the username of the person to add.");
              await addPerson(props.meta.id, username);
            }}
          >
            <div class="field">
              <label for="add-person-username">Username</label>
              <input
                id="add-person-username"
                name="username"
                type="text"
                list="add-person-usernames"
                autocomplete="off"
                autocapitalize="none"
                spellcheck={false}
              />
              <datalist id="add-person-usernames">
                <For each={others()}>{(user) => <option value={user.username} />}</For>
              </datalist>
            </div>
          </RoomDialog>
        </Portal>
      </Show>
      <Show when={open() === "settings"}>
        <Portal>
          <RoomDialog
            title="Room settings"
            submitLabel="Save"
            onClose={() => setOpen(null)}
            onSubmit={async (data) => {
              await updateRoom(props.meta.id, {
                name: String(data.get("name") ?? ""),
                topic: String(data.get("topic") ?? ""),
              });
            }}
            extraActions={(run) => (
              <button
                type="button"
                class="button ghost archive-button"
                onClick={() =>
                  run(() => updateRoom(props.meta.id, { archived: !props.meta.archived }).then(() => {}))
                }
              >
                {props.meta.archived ? "Unarchive room" : "Archive room"}
              </button>
            )}
          >
            <div class="field">
              <label for="room-settings-name">Room name</label>
              <input
                id="room-settings-name"
                name="name"
                type="text"
                value={props.meta.name}
                autocomplete="off"
              />
            </div>
            <div class="field">
              <label for="room-settings-topic">Topic</label>
              <input
                id="room-settings-topic"
                name="topic"
                type="text"
                value={props.meta.topic}
                autocomplete="off"
                placeholder="What this room is for"
              />
            </div>
          </RoomDialog>
        </Portal>
      </Show>
    </div>
  );
}
