import { createSignal, type JSX, Show } from "solid-js";

/** The sign-in and sign-up card: username, password, one button, errors in role=alert, a busy state. */
export function AuthForm(props: {
  title: string;
  intro: string;
  submitLabel: string;
  passwordAutocomplete: "current-password" | "new-password";
  passwordHint?: string;
  /** Shown above the form: why sign-up needs an invite, who sent one, or why a link no longer works. */
  notice?: JSX.Element;
  /** Resolves on success; rejects with an Error whose message is shown to the person. */
  onSubmit: (username: string, password: string) => Promise<void>;
  footer: JSX.Element;
}) {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  let usernameInput!: HTMLInputElement;

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (busy()) return;
    const data = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(null);
    try {
      await props.onSubmit(String(data.get("username") ?? ""), String(data.get("password") ?? ""));
    } catch (failure) {
      setError((failure as Error).message);
      usernameInput.focus();
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
        <h1>{props.title}</h1>
        <p class="auth-intro">{props.intro}</p>
        {props.notice}
        <form onSubmit={submit} aria-busy={busy()} novalidate>
          <div class="field">
            <label for="auth-username">Username</label>
            <input
              ref={usernameInput}
              id="auth-username"
              name="username"
              type="text"
              autocomplete="username"
              autocapitalize="none"
              spellcheck={false}
              autofocus
              aria-invalid={error() ? true : undefined}
            />
          </div>
          <div class="field">
            <label for="auth-password">Password</label>
            <input
              id="auth-password"
              name="password"
              type="password"
              autocomplete={props.passwordAutocomplete}
              aria-describedby={props.passwordHint ? "auth-password-hint" : undefined}
              aria-invalid={error() ? true : undefined}
            />
            <Show when={props.passwordHint}>
              <p id="auth-password-hint" class="field-hint">
                {props.passwordHint}
              </p>
            </Show>
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
            {props.submitLabel}
          </button>
        </form>
        <p class="auth-footer">{props.footer}</p>
      </div>
    </main>
  );
}
