import {
  dmParticipants,
  MAX_GROUP_OTHERS,
  normalizeUsername,
  suggestPeople,
  type UserEntry,
} from "@chat/model";
import { createMemo, createSignal, For, Show } from "solid-js";
import { startConversation } from "../lib/api";
import { displayNameOf, hasOwnDisplayName } from "../lib/people";
import { dmPath, navigate, roomPath } from "../lib/router";
import { useWorkspace } from "../state/workspace";
import { handleListKey } from "../ui/listKeys";
import { Modal } from "../ui/Modal";
import "./newMessage.css";

/**
 * Dialog "New direct message" (under Direct messages, "New message"): the textbox "People" offers
 * everyone in the directory whose username or display name matches what is typed (the same matching
 * as the "@" typeahead); each person picked becomes a chip with "Remove NAME". "Start" opens the DM
 * with one person, or the group conversation of 2–8 (the server finds the one these people already
 * have). Keys: ArrowUp/ArrowDown move through the suggestions, Enter or Tab picks, Escape closes the
 * list, Backspace in the empty box removes the last chip, Enter with no list open starts.
 */
export function NewMessageDialog(props: { onClose: () => void; onStarted: () => void }) {
  const workspace = useWorkspace();
  let dialog!: HTMLDialogElement;
  let input!: HTMLInputElement;
  const [chosen, setChosen] = createSignal<UserEntry[]>([]);
  const [query, setQuery] = createSignal("");
  const [active, setActive] = createSignal(0);
  const [listClosed, setListClosed] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);

  const suggestions = createMemo(() => {
    const wanted = normalizeUsername(query().replace(/^@/, ""));
    if (wanted === "") return [];
    const taken = new Set(chosen().map((person) => person.id));
    const candidates = workspace
      .activeUsers()
      .filter((user) => user.id !== workspace.me.id && !taken.has(user.id));
    return suggestPeople(candidates, wanted);
  });
  const open = () => !listClosed() && suggestions().length > 0;

  const pick = (person: UserEntry) => {
    setChosen((list) => [...list, person]);
    setQuery("");
    input.value = "";
    setActive(0);
    setError(null);
    input.focus();
  };
  const remove = (person: UserEntry) => {
    setChosen((list) => list.filter((entry) => entry.id !== person.id));
    input.focus();
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (
      open() &&
      handleListKey(event, {
        count: suggestions().length,
        active: active(),
        move: setActive,
        pick: () => pick(suggestions()[active()]!),
        dismiss: () => setListClosed(true),
      })
    )
      return;
    if (event.key === "Backspace" && input.value === "" && chosen().length > 0) {
      event.preventDefault();
      setChosen((list) => list.slice(0, -1));
    }
  };

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (busy()) return;
    // Whatever is still typed counts too: the server says if it is nobody here.
    const typed = normalizeUsername(query().replace(/^@/, ""));
    const usernames = [...chosen().map((person) => person.username), ...(typed ? [typed] : [])];
    if (usernames.length === 0) {
      setError("Choose at least one person to write to.");
      input.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const room = await startConversation(usernames);
      const pair = dmParticipants(room.id);
      const otherId = pair?.find((id) => id !== workspace.me.id);
      const other = otherId ? workspace.userById().get(otherId) : undefined;
      dialog.close();
      navigate(other ? dmPath(other.username) : roomPath(room.id));
      props.onStarted();
    } catch (failure) {
      setError((failure as Error).message);
      input.focus();
    } finally {
      setBusy(false);
    }
  };

  const optionId = (index: number) => `new-message-option-${index}`;

  return (
    <Modal ref={dialog} labelledBy="new-message-title" focus={() => input} onClose={props.onClose}>
      <form class="dialog-card new-message" onSubmit={submit} aria-busy={busy()} novalidate>
        <h2 id="new-message-title">New direct message</h2>
        <p class="dialog-intro" id="new-message-hint">
          Write to one person, or to a group of up to {MAX_GROUP_OTHERS} people. The same people always share
          one conversation.
        </p>
        <div class="field">
          <label for="new-message-people">People</label>
          <div class="people-picker" classList={{ invalid: error() !== null }}>
            <Show when={chosen().length > 0}>
              <ul class="people-chips" aria-label="Chosen people">
                <For each={chosen()}>
                  {(person) => (
                    <li class="person-chip">
                      <span class="person-chip-name" title={`@${person.username}`}>
                        {displayNameOf(person)}
                      </span>
                      <button
                        type="button"
                        class="person-chip-remove"
                        aria-label={`Remove ${person.username}`}
                        title={`Remove ${person.username}`}
                        onClick={() => remove(person)}
                      >
                        <svg viewBox="0 0 24 24" width="14" height="14" aria-hidden="true">
                          <path
                            d="M6 6l12 12M18 6L6 18"
                            stroke="currentColor"
                            stroke-width="2.4"
                            stroke-linecap="round"
                          />
                        </svg>
                      </button>
                    </li>
                  )}
                </For>
              </ul>
            </Show>
            <input
              ref={input}
              id="new-message-people"
              type="text"
              autocomplete="off"
              autocapitalize="none"
              spellcheck={false}
              placeholder={chosen().length === 0 ? "Type a name or username" : "Add another person"}
              aria-describedby="new-message-hint"
              aria-autocomplete="list"
              aria-controls={open() ? "new-message-suggestions" : undefined}
              aria-activedescendant={open() ? optionId(active()) : undefined}
              aria-invalid={error() ? true : undefined}
              onInput={(event) => {
                setQuery(event.currentTarget.value);
                setActive(0);
                setListClosed(false);
              }}
              onKeyDown={onKeyDown}
              onBlur={() => setListClosed(true)}
              onFocus={() => setListClosed(false)}
            />
          </div>
          <Show when={open()}>
            <div
              class="people-suggestions"
              id="new-message-suggestions"
              role="listbox"
              aria-label="People suggestions"
            >
              <For each={suggestions()}>
                {(person, index) => (
                  <div
                    id={optionId(index())}
                    role="option"
                    tabIndex={-1}
                    aria-selected={index() === active()}
                    classList={{ active: index() === active() }}
                    onMouseDown={(event) => {
                      event.preventDefault(); // keep focus in the box
                      pick(person);
                    }}
                  >
                    <Show when={hasOwnDisplayName(person)} fallback={`@${person.username}`}>
                      <span class="typeahead-name">{displayNameOf(person)}</span>{" "}
                      <span class="typeahead-handle">@{person.username}</span>
                    </Show>
                  </div>
                )}
              </For>
            </div>
          </Show>
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
            Start
          </button>
        </div>
      </form>
    </Modal>
  );
}
