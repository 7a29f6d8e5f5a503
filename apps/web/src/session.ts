import { SCHEMA_VERSION } from "@chat/model";
import { createSignal } from "solid-js";
import * as api from "./api";
import { loginPathFor, navigate, path, search } from "./router";
import { deleteSearchStore } from "./search/indexStore";

/**
 * Who is signed in. `loading` until GET /api/session has answered once; then signed in or out.
 * Sign-in, sign-up and sign-out go through here so the rest of the app only reads signals.
 */

export type SessionState =
  | { status: "loading" }
  | { status: "error"; message: string }
  | { status: "signed-out" }
  | { status: "signed-in"; user: api.User };

const [state, setState] = createSignal<SessionState>({ status: "loading" });
/** True when the server speaks another document schema than this build: the person must reload. */
const [outdated, setOutdated] = createSignal(false);

export { outdated, state as session };

export function currentUser(): api.User | null {
  const current = state();
  return current.status === "signed-in" ? current.user : null;
}

function accept(info: api.SessionInfo): void {
  if (info.schemaVersion !== undefined && info.schemaVersion !== SCHEMA_VERSION) setOutdated(true);
  setState({ status: "signed-in", user: info.user });
}

export async function loadSession(): Promise<void> {
  setState({ status: "loading" });
  try {
    const info = await api.getSession();
    if (info) accept(info);
    else setState({ status: "signed-out" });
  } catch (error) {
    setState({ status: "error", message: (error as Error).message });
  }
}

export async function signIn(username: string, password: string): Promise<void> {
  accept(await api.logIn(username, password));
}

export async function signUp(username: string, password: string, invite?: string): Promise<void> {
  accept(await api.signUp(username, password, invite));
}

/** Ends the session on the server, then here (which closes every document and the socket). */
export async function signOut(): Promise<void> {
  const user = currentUser();
  try {
    await api.logOut();
  } finally {
    setState({ status: "signed-out" });
    navigate("/login");
    // Signing out closed the search worker; the person's search index leaves this device too.
    if (user) await deleteSearchStore(user.id).catch(() => {});
  }
}

/** The server no longer knows our session (expired, or signed out elsewhere): back to sign-in. */
export function sessionLost(): void {
  if (state().status !== "signed-in") return;
  setState({ status: "signed-out" });
  navigate(loginPathFor(path() + search()), { replace: true });
}
