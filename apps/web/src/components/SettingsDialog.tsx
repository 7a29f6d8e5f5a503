import { MIN_PASSWORD_LENGTH, passwordProblem } from "@chat/model";
import { createResource, createSignal, Show } from "solid-js";
import { changePassword, getWorkspace, setInviteOnly } from "../lib/api";
import { Modal } from "../ui/Modal";
import "./security.css";

/**
 * Dialog "Settings": change one's password (the current one is required; every other device is
 * signed out) and, for the workspace admin, whether sign-up is invite-only.
 */
export function SettingsDialog(props: { isAdmin: boolean; onClose: () => void }) {
  let dialog!: HTMLDialogElement;
  let currentInput!: HTMLInputElement;

  return (
    <Modal ref={dialog} labelledBy="settings-title" focus={() => currentInput} onClose={props.onClose}>
      <div class="dialog-card">
        <h2 id="settings-title">Settings</h2>
        <PasswordForm currentInput={(input) => (currentInput = input)} />
        <Show when={props.isAdmin}>
          <WorkspaceSection />
        </Show>
        <div class="dialog-actions">
          <button type="button" class="button ghost" onClick={() => dialog.close()}>
            Close
          </button>
        </div>
      </div>
    </Modal>
  );
}

function PasswordForm(props: { currentInput: (input: HTMLInputElement) => void }) {
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
          ref={props.currentInput}
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
