import { createEffect, createMemo, Match, Switch } from "solid-js";
import { UpdatePrompt } from "./components/UpdatePrompt";
import { loginPathFor, matchRoute, navigate, path, safeNext, search } from "./lib/router";
import { Login } from "./pages/Login";
import { ResetPassword } from "./pages/ResetPassword";
import { Shell } from "./pages/Shell";
import { Signup } from "./pages/Signup";
import { currentUser, loadSession, session } from "./state/session";
import { WorkspaceProvider } from "./state/workspace";

/**
 * Top level: which screen for which URL and session. Signed-out visits to app pages go to /login
 * (remembering where they were going); signing in continues there.
 */
export function App() {
  const route = createMemo(() => matchRoute(path()));
  const isAuthPage = () => route().name === "login" || route().name === "signup" || route().name === "invite";
  const inviteToken = () => {
    const current = route();
    return current.name === "invite"
      ? current.token
      : (new URLSearchParams(search()).get("invite") ?? undefined);
  };

  createEffect(() => {
    const state = session().status;
    // A reset link opens signed in or out (it is its own key).
    if (state === "signed-out" && !isAuthPage() && route().name !== "reset")
      navigate(loginPathFor(path() + search()), { replace: true });
    if (state === "signed-in" && isAuthPage())
      navigate(safeNext(new URLSearchParams(search()).get("next")), { replace: true });
  });

  return (
    <>
      <UpdatePrompt />
      <Switch>
        <Match when={route().name === "reset" && route()} keyed>
          {(reset) => <ResetPassword token={reset.name === "reset" ? reset.token : ""} />}
        </Match>
        <Match when={session().status === "loading"}>
          <div class="splash" aria-busy="true">
            <span class="brand-mark large" aria-hidden="true" />
            <p>Loading Chat…</p>
          </div>
        </Match>
        <Match when={session().status === "error" && session()} keyed>
          {(failed) => (
            <div class="splash">
              <p role="alert">{failed.status === "error" ? failed.message : ""}</p>
              <button type="button" class="button primary" onClick={() => void loadSession()}>
                Try again
              </button>
            </div>
          )}
        </Match>
        <Match when={route().name === "login" && !currentUser()}>
          <Login />
        </Match>
        <Match when={(route().name === "signup" || route().name === "invite") && !currentUser()}>
          <Signup invite={inviteToken()} />
        </Match>
        <Match when={!isAuthPage() && currentUser()} keyed>
          {(user) => (
            <WorkspaceProvider user={user}>
              <Shell route={route()} />
            </WorkspaceProvider>
          )}
        </Match>
      </Switch>
    </>
  );
}
