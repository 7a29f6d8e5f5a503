import { canRemoveMember, listMembers, observeMembers, type RoomMeta } from "@chat/model";
import { createMemo, createSignal, For, Show } from "solid-js";
import { leaveRoom, removeMember } from "../lib/api";
import { displayNameOf } from "../lib/people";
import { navigate } from "../lib/router";
import { markLeaving, unmarkLeaving } from "../state/departures";
import { observed } from "../state/signals";
import { useWorkspace } from "../state/workspace";
import type { DocHandle } from "../sync/docs";
import { Avatar } from "../ui/Avatar";
import { Modal } from "../ui/Modal";

/**
 * Dialog "Members": the people of a room, from its room document (so it follows joins, additions and
 * removals as they sync), each with display name, @username, status and whether they are online
 * (directory presence). The room's creator and the workspace admin get "Remove NAME" for the others;
 * everyone but a DM's people gets "Leave room", confirmed first for a private room (coming back needs
 * someone to add you). The server decides: its refusal (the last member of a private room) shows as
 * it is, in role=alert.
 */
export function MembersDialog(props: { meta: RoomMeta; room: DocHandle; onClose: () => void }) {
  const workspace = useWorkspace();
  let dialog!: HTMLDialogElement;
  const members = observed(props.room.doc, observeMembers, listMembers);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const [confirmingLeave, setConfirmingLeave] = createSignal(false);
  const me = { id: workspace.me.id, isAdmin: workspace.me.isAdmin === true };
  // The button that had the focus goes when the confirmation replaces it (and back): the focus follows.
  let leaveButton: HTMLButtonElement | undefined;
  let stayButton: HTMLButtonElement | undefined;
  const confirmLeave = (on: boolean) => {
    setConfirmingLeave(on);
    (on ? stayButton : leaveButton)?.focus();
  };

  // Online people first, then by name: who can answer now is what a member list is mostly read for.
  const people = createMemo(() => {
    const online = workspace.online();
    return members()
      .map((member) => {
        const user = workspace.userById().get(member.userId);
        return {
          id: member.userId,
          user,
          username: user?.username ?? "someone",
          name: displayNameOf(user, "someone"),
          online: online.has(member.userId),
        };
      })
      .sort(
        (a, b) =>
          Number(b.online) - Number(a.online) ||
          a.name.localeCompare(b.name, undefined, { sensitivity: "base" }),
      );
  });

  const run = async (work: () => Promise<void>): Promise<boolean> => {
    if (busy()) return false;
    setBusy(true);
    setError(null);
    try {
      await work();
      return true;
    } catch (failure) {
      setError((failure as Error).message);
      return false;
    } finally {
      setBusy(false);
    }
  };

  const leave = async () => {
    const roomId = props.meta.id;
    // The server closes this room's documents before it answers: the room must already know it was a leave.
    markLeaving(roomId);
    const done = await run(() => leaveRoom(roomId));
    if (!done) {
      unmarkLeaving(roomId);
      confirmLeave(false);
      return;
    }
    dialog.close();
    // The room is gone from the nav; staying on it would show only that it was left.
    navigate("/");
  };

  return (
    <Modal
      ref={dialog}
      class="members-dialog"
      labelledBy="members-title"
      focus={(element) => element.querySelector<HTMLElement>(".members-close")}
      onClose={props.onClose}
    >
      <div class="dialog-card" aria-busy={busy()}>
        <h2 id="members-title">Members</h2>
        <p class="dialog-intro">
          {members().length === 1 ? "1 person is" : `${members().length} people are`} in {props.meta.name}.
        </p>
        <ul class="member-list">
          <For each={people()}>
            {(person) => (
              <li class="member">
                <Avatar
                  user={person.user}
                  fallbackName={person.username}
                  color={workspace.colorFor(person.id)}
                  size="small"
                >
                  <span class="presence-dot" classList={{ online: person.online }} />
                </Avatar>
                <span class="member-text">
                  <span class="member-names">
                    <span class="member-name">{person.name}</span>
                    <Show when={person.id === workspace.me.id}>
                      <span class="member-you"> (you)</span>
                    </Show>
                    <span class="member-username">@{person.username}</span>
                    <span class="visually-hidden">{person.online ? ", online" : ", offline"}</span>
                  </span>
                  <Show when={person.user?.status}>
                    <span class="member-status">{person.user?.status}</span>
                  </Show>
                </span>
                <Show when={canRemoveMember(props.meta, me, person.id)}>
                  <button
                    type="button"
                    class="button ghost small member-remove"
                    disabled={busy()}
                    aria-label={`Remove ${person.username}`}
                    onClick={() => void run(() => removeMember(props.meta.id, person.id))}
                  >
                    Remove
                  </button>
                </Show>
              </li>
            )}
          </For>
        </ul>
        <Show when={confirmingLeave()}>
          <p class="members-confirm">
            {props.meta.name} is private: once you leave, only someone in it can add you back.
          </p>
        </Show>
        <Show when={error()}>
          <p class="form-error" role="alert">
            {error()}
          </p>
        </Show>
        <div class="dialog-actions">
          {/* Someone previewing a public room is not in it: nothing to leave. */}
          <Show when={props.meta.kind !== "dm" && members().some((member) => member.userId === me.id)}>
            <Show
              when={confirmingLeave()}
              fallback={
                <button
                  ref={leaveButton}
                  type="button"
                  class="button ghost members-leave"
                  disabled={busy()}
                  onClick={() => {
                    setError(null);
                    if (props.meta.kind === "private") confirmLeave(true);
                    else void leave();
                  }}
                >
                  Leave room
                </button>
              }
            >
              <button
                ref={stayButton}
                type="button"
                class="button ghost"
                disabled={busy()}
                onClick={() => confirmLeave(false)}
              >
                Stay
              </button>
              <button type="button" class="button danger" disabled={busy()} onClick={() => void leave()}>
                Leave
              </button>
            </Show>
          </Show>
          <button type="button" class="button ghost members-close" onClick={() => dialog.close()}>
            Close
          </button>
        </div>
      </div>
    </Modal>
  );
}
