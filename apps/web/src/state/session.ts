import { SCHEMA_VERSION } from "@chat/model";
import { createSignal } from "solid-js";
import { forgetDeviceUser, rememberDeviceUser, rememberedDeviceUser } from "../device/deviceUser";
import { forgetDevice } from "../device/forgetDevice";
import { stopPushForSignOut } from "../device/pushSubscription";
import { rememberUploadLimit } from "../device/uploadLimit";
import * as api from "../lib/api";
import { loginPathFor, navigate, path, search } from "../lib/router";

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

/** Why this device was last signed out by the server, for the sign-in page to say ("deactivated"). */
const [signedOutBecause, setSignedOutBecause] = createSignal<"deactivated" | null>(null);

export { outdated, signedOutBecause, state as session };

export function currentUser(): api.User | null {
  const current = state();
  return current.status === "signed-in" ? current.user : null;
}

function accept(info: api.SessionInfo): void {
  if (info.schemaVersion !== undefined && info.schemaVersion !== SCHEMA_VERSION) setOutdated(true);
  rememberDeviceUser(info.user);
  rememberUploadLimit(info.maxUploadBytes);
  const current = state();
  // Already showing this person from the device: keep the same object so the workspace stays mounted,
  // unless their role changed meanwhile (made admin, or no longer): the controls follow the server.
  if (
    current.status === "signed-in" &&
    current.user.id === info.user.id &&
    (current.user.isAdmin === true) === (info.user.isAdmin === true)
  )
    return;
  setState({ status: "signed-in", user: info.user });
}

/** The server says this build is older than its document schema (or refused a document for that). */
export function markOutdated(): void {
  setOutdated(true);
}

/**
 * Asks the server who is signed in. When this device remembers the last person, their workspace opens
 * at once from the device (local-first: no network needed), and the answer only corrects it: signed
 * out elsewhere sends them to sign-in; an unreachable server leaves them working offline.
 */
export async function loadSession(): Promise<void> {
  const remembered = rememberedDeviceUser();
  if (remembered) setState({ status: "signed-in", user: remembered });
  else setState({ status: "loading" });
  try {
    const info = await api.getSession();
    if (info) accept(info);
    else if (remembered) sessionLost();
    else setState({ status: "signed-out" });
  } catch (error) {
    if (!remembered) setState({ status: "error", message: (error as Error).message });
  }
}

export async function signIn(username: string, password: string): Promise<void> {
  accept(await api.logIn(username, password));
  setSignedOutBecause(null);
}

export async function signUp(username: string, password: string, invite?: string): Promise<void> {
  accept(await api.signUp(username, password, invite));
}

/**
 * Ends the session on the server, then here (which closes every document and the socket), and
 * removes everything this device kept for the person.
 */
export async function signOut(): Promise<void> {
  const user = currentUser();
  // While the session still stands: the server forgets this device's push subscription.
  await stopPushForSignOut();
  try {
    await api.logOut();
  } finally {
    // Signed out first: that unmounts the workspace, closing its documents and the search worker.
    setState({ status: "signed-out" });
    const forgetting = forgetDevice(user?.id ?? null);
    navigate("/login");
    await forgetting;
  }
}

/**
 * The server no longer knows our session (expired, or signed out elsewhere; `because` "deactivated":
 * the workspace admin deactivated the account, which the sign-in page then says): back to sign-in.
 */
export function sessionLost(because: "deactivated" | null = null): void {
  if (state().status !== "signed-in") return;
  setSignedOutBecause(because);
  // The device keeps their documents (signing in again reuses them) but no longer opens by itself.
  forgetDeviceUser();
  setState({ status: "signed-out" });
  navigate(loginPathFor(path() + search()), { replace: true });
}
