import { MIN_PASSWORD_LENGTH, passwordProblem } from "@chat/model";
import { createResource, createSignal, Match, Show, Switch } from "solid-js";
import { checkPasswordReset, resetPassword } from "../lib/api";
import { Link } from "../ui/Link";
import "../components/security.css";

/**
 * `/reset/<token>`: a password-reset link the workspace admin issued. It says whose password it sets
 * (or why it no longer works: used, expired, not valid) before anyone types; "New password" and "Set
 * password" set it, which uses the link up and signs out every session of the person. Shown whether
 * or not this browser is signed in.
 */
export function ResetPassword(props: { token: string }) {
  const [link] = createResource(
    () => props.token,
    (token) =>
      checkPasswordReset(token).then(
        ({ username }) => ({ username, problem: null }),
        (error: Error) => ({ username: null, problem: error.message }),
      ),
  );
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const [done, setDone] = createSignal<{ username: string } | null>(null);
  let input!: HTMLInputElement;

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (busy()) return;
    const problem = passwordProblem(input.value);
    if (problem) {
      setError(problem);
      input.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      setDone(await resetPassword(props.token, input.value));
    } catch (failure) {
      setError((failure as Error).message);
      input.focus();
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="auth-page">
      <div class="auth-card">
        <div class="auth-brand" aria-hidden="true">
          <span class="brand-mark" />
          Chat
        </div>
        <h1>Reset your password</h1>
        <Switch fallback={<p class="auth-intro">Checking the link…</p>}>
          <Match when={done()}>
            {(finished) => (
              <>
                <p class="auth-notice" role="status">
                  The password of <strong>{finished().username}</strong> is set, and every session was signed
                  out.
                </p>
                <p class="auth-footer">
                  <Link href="/login">Sign in</Link> with the new password.
                </p>
              </>
            )}
          </Match>
          <Match when={link()?.problem}>
            {(problem) => (
              <>
                <p class="auth-notice warning" role="alert">
                  {problem()}
                </p>
                <p class="auth-footer">
                  <Link href="/login">Sign in</Link>
                </p>
              </>
            )}
          </Match>
          <Match when={link()?.username}>
            {(username) => (
              <>
                <p class="auth-intro">
                  Choose a new password for <strong>{username()}</strong>. Every device signed in to this
                  account will be signed out.
                </p>
                <form onSubmit={submit} aria-busy={busy()} novalidate>
                  <div class="field">
                    <label for="reset-password">New password</label>
                    <input
                      ref={input}
                      id="reset-password"
                      name="new-password"
                      type="password"
                      autocomplete="new-password"
                      aria-describedby="reset-password-hint"
                      aria-invalid={error() ? true : undefined}
                      autofocus
                    />
                    <p id="reset-password-hint" class="field-hint">
                      At least {MIN_PASSWORD_LENGTH} characters.
                    </p>
                  </div>
                  <Show when={error()}>
                    <p class="form-error" role="alert">
                      {error()}
                    </p>
                  </Show>
                  <button class="button primary wide" type="submit" disabled={busy()}>
                    <Show when={busy()}>
                      <span class="spinner" aria-hidden="true" />
                    </Show>
                    Set password
                  </button>
                </form>
              </>
            )}
          </Match>
        </Switch>
      </div>
    </main>
  );
}
