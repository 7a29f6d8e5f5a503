import { MIN_PASSWORD_LENGTH, normalizeUsername, passwordProblem, usernameProblem } from "@chat/model";
import { createResource, Match, Switch } from "solid-js";
import { AuthForm } from "../components/AuthForm";
import { checkInvite, getWorkspace } from "../lib/api";
import "../components/security.css";
import { search } from "../lib/router";
import { signUp } from "../state/session";
import { Link } from "../ui/Link";

/**
 * `/signup`, `/invite/<token>` and `/signup?invite=<token>`: a username and a password; the first
 * account becomes the workspace admin. With an invite the page says who sent it (or why the link no
 * longer works) before anyone types; without one in an invite-only workspace it says so up front.
 */
export function Signup(props: { invite?: string }) {
  const [invite] = createResource(
    () => props.invite,
    (token) =>
      checkInvite(token).then(
        ({ invitedBy }) => ({ invitedBy, problem: null }),
        (error: Error) => ({ invitedBy: null, problem: error.message }),
      ),
  );
  // Only matters without an invite; a failure to ask just means the server will say so on submit.
  const [workspace] = createResource(
    () => !props.invite,
    () => getWorkspace().catch(() => ({ inviteOnly: false })),
  );

  const notice = (
    <Switch>
      <Match when={invite()?.problem}>
        {(problem) => (
          <p class="auth-notice warning" role="alert">
            {problem()}
          </p>
        )}
      </Match>
      <Match when={invite()?.invitedBy}>
        {(by) => (
          <p class="auth-notice">
            <strong>{by()}</strong> invited you to join.
          </p>
        )}
      </Match>
      <Match when={workspace()?.inviteOnly}>
        <p class="auth-notice">
          Sign-up here is by invitation only. Open the invite link a member sent you, or ask one for a link.
        </p>
      </Match>
    </Switch>
  );

  return (
    <AuthForm
      title={props.invite ? "Join the workspace" : "Create your account"}
      intro="Pick a username your teammates will recognise."
      submitLabel="Create account"
      passwordAutocomplete="new-password"
      passwordHint={`At least ${MIN_PASSWORD_LENGTH} characters.`}
      notice={notice}
      onSubmit={async (rawUsername, password) => {
        const username = normalizeUsername(rawUsername);
        const problem = usernameProblem(username) ?? passwordProblem(password);
        if (problem) throw new Error(problem);
        await signUp(username, password, props.invite);
      }}
      footer={
        <>
          Already have an account? <Link href={`/login${props.invite ? "" : search()}`}>Sign in</Link>
        </>
      }
    />
  );
}
