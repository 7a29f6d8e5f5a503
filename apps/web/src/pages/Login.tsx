import { AuthForm } from "../components/AuthForm";
import { search } from "../lib/router";
import { signedOutBecause, signIn } from "../state/session";
import { Link } from "../ui/Link";

/** `/login`: where signed-out visits land (with `?next=` to return to where they were going). */
export function Login() {
  return (
    <AuthForm
      title="Sign in"
      intro="Welcome back. Sign in to pick up where you left off."
      submitLabel="Sign in"
      passwordAutocomplete="current-password"
      notice={
        signedOutBecause() === "deactivated" ? (
          <p class="auth-notice warning" role="status">
            You were signed out: the workspace admin deactivated your account.
          </p>
        ) : undefined
      }
      onSubmit={async (username, password) => {
        if (!username.trim() || !password) throw new Error("Enter your username and password.");
        await signIn(username.trim(), password);
      }}
      footer={
        <>
          New here? <Link href={`/signup${search()}`}>Create an account</Link>
        </>
      }
    />
  );
}
