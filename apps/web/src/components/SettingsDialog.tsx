import {
  displayNameProblem,
  MAX_DISPLAY_NAME_LENGTH,
  MAX_STATUS_LENGTH,
  MIN_PASSWORD_LENGTH,
  normalizeProfileText,
  passwordProblem,
  statusProblem,
  type Theme,
} from "@chat/model";
import { createResource, createSignal, For, Show } from "solid-js";
import {
  changePassword,
  getWorkspace,
  removeAvatar,
  setInviteOnly,
  updateProfile,
  uploadAvatar,
} from "../lib/api";
import { displayNameOf } from "../lib/people";
import { useWorkspace } from "../state/workspace";
import { Avatar } from "../ui/Avatar";
import { Modal } from "../ui/Modal";
import { NotificationsSection } from "./NotificationsSection";
import { PeopleSection } from "./PeopleSection";
import { PushSwitch } from "./PushSwitch";
import "./security.css";

/**
 * Dialog "Settings": one's profile (display name, status, avatar), change one's password (the current one is required; every other device is
 * signed out) and, for the workspace admin, whether sign-up is invite-only.
 */
export function SettingsDialog(props: { isAdmin: boolean; onClose: () => void }) {
  let dialog!: HTMLDialogElement;
  let nameInput!: HTMLInputElement;

  return (
    <Modal ref={dialog} labelledBy="settings-title" focus={() => nameInput} onClose={props.onClose}>
      <div class="dialog-card">
        <h2 id="settings-title">Settings</h2>
        <ProfileSection nameInput={(input) => (nameInput = input)} />
        <AppearanceSection />
        <NotificationsSection>
          <PushSwitch />
        </NotificationsSection>
        <PasswordForm />
        <Show when={props.isAdmin}>
          <WorkspaceSection />
        </Show>
        {props.isAdmin && <PeopleSection />}
        <div class="dialog-actions">
          <button type="button" class="button ghost" onClick={() => dialog.close()}>
            Close
          </button>
        </div>
      </div>
    </Modal>
  );
}

const THEME_LABELS: Record<Theme, string> = { light: "Light", dark: "Dark", system: "System" };

/**
 * Section "Appearance": the colour theme, a radio group "Theme". The choice is a setting in the
 * person's index document, so it applies at once here and on their other devices.
 */
function AppearanceSection() {
  const workspace = useWorkspace();
  return (
    <section class="settings-section" aria-labelledby="appearance-title">
      <h3 class="dialog-subhead" id="appearance-title">
        Appearance
      </h3>
      <fieldset class="theme-choice">
        <legend>Theme</legend>
        <For each={["light", "dark", "system"] as const}>
          {(theme) => (
            <label class="theme-option">
              <input
                type="radio"
                name="theme"
                value={theme}
                checked={workspace.theme() === theme}
                onChange={() => workspace.setTheme(theme)}
              />
              {THEME_LABELS[theme]}
            </label>
          )}
        </For>
      </fieldset>
      <p class="field-hint">System follows this device's light or dark setting.</p>
    </section>
  );
}

/** Largest image the server takes for an avatar (apps/sync files/avatars.ts MAX_AVATAR_BYTES). */
const MAX_AVATAR_BYTES = 10 * 1024 * 1024;

/**
 * Section "Profile": the person's display name and status (a form: Enter saves) and their avatar.
 * Both go through the API; the server publishes them in the `directory`, which brings them to every
 * device, this one included (the preview here is drawn from it too).
 */
function ProfileSection(props: { nameInput: (input: HTMLInputElement) => void }) {
  const workspace = useWorkspace();
  const me = workspace.me;
  const mine = () => workspace.userById().get(me.id);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<{ field: "displayName" | "status"; message: string } | null>(null);
  const [done, setDone] = createSignal<string | null>(null);
  const [avatarBusy, setAvatarBusy] = createSignal(false);
  const [avatarError, setAvatarError] = createSignal<string | null>(null);
  let nameInput!: HTMLInputElement;
  let statusInput!: HTMLInputElement;
  let picker!: HTMLInputElement;
  // The fields start from what is stored and are not overwritten while the person types.
  const startName = displayNameOf(mine(), me.displayName || me.username);
  const startStatus = mine()?.status ?? me.status ?? "";

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (busy()) return;
    const displayName = normalizeProfileText(nameInput.value);
    const status = normalizeProfileText(statusInput.value);
    setError(null);
    setDone(null);
    // The model's checks, the same the server makes: the sentence comes at once, offline too.
    const nameProblem = displayNameProblem(displayName);
    if (nameProblem) {
      setError({ field: "displayName", message: nameProblem });
      return nameInput.focus();
    }
    const problem = statusProblem(status);
    if (problem) {
      setError({ field: "status", message: problem });
      return statusInput.focus();
    }
    setBusy(true);
    try {
      const user = await updateProfile({ displayName, status });
      nameInput.value = user.displayName;
      statusInput.value = user.status ?? status;
      setDone("Profile saved.");
    } catch (failure) {
      const message = (failure as Error).message;
      setError({ field: /^status/i.test(message) ? "status" : "displayName", message });
    } finally {
      setBusy(false);
    }
  };

  const chooseAvatar = async () => {
    const file = picker.files?.[0];
    picker.value = "";
    if (!file) return;
    setAvatarError(null);
    setDone(null);
    if (file.size > MAX_AVATAR_BYTES) return setAvatarError("An avatar can be at most 10 MB.");
    setAvatarBusy(true);
    try {
      await uploadAvatar(file);
      setDone("Avatar changed.");
    } catch (failure) {
      setAvatarError((failure as Error).message);
    } finally {
      setAvatarBusy(false);
    }
  };

  const dropAvatar = async () => {
    setAvatarError(null);
    setAvatarBusy(true);
    try {
      await removeAvatar();
      setDone("Avatar removed.");
    } catch (failure) {
      setAvatarError((failure as Error).message);
    } finally {
      setAvatarBusy(false);
    }
  };

  return (
    <section class="settings-section profile-section" aria-labelledby="profile-title">
      <h3 class="dialog-subhead" id="profile-title">
        Profile
      </h3>
      <div class="profile-avatar-row" aria-busy={avatarBusy()}>
        <Avatar user={mine()} fallbackName={startName} color={workspace.colorFor(me.id)} size="large" />
        <div class="profile-avatar-actions">
          <div class="profile-avatar-buttons">
            <button
              type="button"
              class="button small"
              disabled={avatarBusy()}
              aria-describedby="avatar-hint"
              onClick={() => picker.click()}
            >
              <Show when={avatarBusy()}>
                <span class="spinner" aria-hidden="true" />
              </Show>
              Change avatar
            </button>
            <Show when={mine()?.avatar}>
              <button type="button" class="button ghost small" disabled={avatarBusy()} onClick={dropAvatar}>
                Remove avatar
              </button>
            </Show>
          </div>
          <p id="avatar-hint" class="field-hint">
            A PNG, JPEG, GIF or WebP image, cut to a square. Without one, your initials show.
          </p>
          <input
            ref={picker}
            type="file"
            accept="image/png,image/jpeg,image/gif,image/webp"
            hidden
            onChange={chooseAvatar}
          />
        </div>
      </div>
      <Show when={avatarError()}>
        <p class="form-error" role="alert">
          {avatarError()}
        </p>
      </Show>
      <form class="profile-form" onSubmit={submit} aria-busy={busy()} novalidate>
        <div class="field">
          <label for="display-name">Display name</label>
          <input
            ref={(input) => {
              nameInput = input;
              props.nameInput(input);
            }}
            id="display-name"
            name="displayName"
            type="text"
            autocomplete="name"
            value={startName}
            aria-describedby="display-name-hint"
            aria-invalid={error()?.field === "displayName" ? true : undefined}
          />
          <p id="display-name-hint" class="field-hint">
            Shown on your messages, in the list of people and in mentions; up to {MAX_DISPLAY_NAME_LENGTH}{" "}
            characters. Your username @{me.username} stays the same.
          </p>
        </div>
        <div class="field">
          <label for="profile-status">Status</label>
          <input
            ref={statusInput}
            id="profile-status"
            name="status"
            type="text"
            autocomplete="off"
            value={startStatus}
            placeholder="e.g. In a meeting"
            aria-describedby="status-hint"
            aria-invalid={error()?.field === "status" ? true : undefined}
          />
          <p id="status-hint" class="field-hint">
            A short note for the others, up to {MAX_STATUS_LENGTH} characters. Leave it empty for none.
          </p>
        </div>
        <Show when={error()}>
          {(failure) => (
            <p class="form-error" role="alert">
              {failure().message}
            </p>
          )}
        </Show>
        <p class="form-success" role="status">
          {done() ?? ""}
        </p>
        <button type="submit" class="button primary" disabled={busy()}>
          <Show when={busy()}>
            <span class="spinner" aria-hidden="true" />
          </Show>
          Save profile
        </button>
      </form>
    </section>
  );
}

function PasswordForm() {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const [done, setDone] = createSignal<string | null>(null);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (busy()) return;
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const current = String(data.get("current") ?? "");
    const next = String(data.get("new") ?? "");
    setError(null);
    setDone(null);
    if (!current) return setError("Enter your current password.");
    const problem = passwordProblem(next);
    if (problem) return setError(problem);
    setBusy(true);
    try {
      const signedOut = await changePassword(current, next);
      form.reset();
      setDone(
        signedOut === 0
          ? "Password changed."
          : `Password changed. ${signedOut} other session${signedOut === 1 ? " was" : "s were"} signed out.`,
      );
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      class="settings-section"
      onSubmit={submit}
      aria-labelledby="password-title"
      aria-busy={busy()}
      novalidate
    >
      <h3 class="dialog-subhead" id="password-title">
        Change password
      </h3>
      <div class="field">
        <label for="current-password">Current password</label>
        <input
          id="current-password"
          name="current"
          type="password"
          autocomplete="current-password"
          aria-invalid={error() ? true : undefined}
        />
      </div>
      <div class="field">
        <label for="new-password">New password</label>
        <input
          id="new-password"
          name="new"
          type="password"
          autocomplete="new-password"
          aria-describedby="new-password-hint"
          aria-invalid={error() ? true : undefined}
        />
        <p id="new-password-hint" class="field-hint">
          At least {MIN_PASSWORD_LENGTH} characters. Your other devices will be signed out.
        </p>
      </div>
      <Show when={error()}>
        <p class="form-error" role="alert">
          {error()}
        </p>
      </Show>
      <p class="form-success" role="status">
        {done() ?? ""}
      </p>
      <button type="submit" class="button primary" disabled={busy()}>
        <Show when={busy()}>
          <span class="spinner" aria-hidden="true" />
        </Show>
        Change password
      </button>
    </form>
  );
}

function WorkspaceSection() {
  const [settings, { mutate }] = createResource(getWorkspace);
  const [error, setError] = createSignal<string | null>(null);
  const [saved, setSaved] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);

  const toggle = async (event: Event & { currentTarget: HTMLInputElement }) => {
    const input = event.currentTarget;
    const wanted = input.checked;
    setBusy(true);
    setError(null);
    setSaved(null);
    try {
      mutate(await setInviteOnly(wanted));
      setSaved(
        wanted ? "Sign-up now needs an invite link." : "Anyone who can reach this server can sign up.",
      );
    } catch (failure) {
      input.checked = !wanted;
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="settings-section" aria-labelledby="workspace-title">
      <h3 class="dialog-subhead" id="workspace-title">
        Workspace
      </h3>
      <div class="checkbox-field">
        <input
          id="invite-only"
          type="checkbox"
          checked={settings()?.inviteOnly ?? false}
          disabled={busy() || settings.loading}
          aria-describedby="invite-only-hint"
          onChange={toggle}
        />
        <div>
          <label for="invite-only">Invite-only sign-up</label>
          <p id="invite-only-hint" class="field-hint">
            New people need an invite link from a member to create an account.
          </p>
        </div>
      </div>
      <Show when={error() ?? (settings.error as Error | undefined)?.message}>
        {(message) => (
          <p class="form-error" role="alert">
            {message()}
          </p>
        )}
      </Show>
      <p class="form-success" role="status">
        {saved() ?? ""}
      </p>
    </section>
  );
}
