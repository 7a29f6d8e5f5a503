import { MIN_PASSWORD_LENGTH, normalizeUsername, passwordProblem, usernameProblem } from "@chat/model";
import { AuthForm } from "../components/AuthForm";
import { Link } from "../components/Link";
import { search } from "../router";
import { signUp } from "../session";

/** `/signup`: a username and a password; the first account becomes the workspace admin. */
export function Signup() {
  return (
    <AuthForm
      title="Create your account"
      intro="Pick a username your teammates will recognise."
      submitLabel="Create account"
      passwordAutocomplete="new-password"
      passwordHint={`At least ${MIN_PASSWORD_LENGTH} characters.`}
      onSubmit={async (rawUsername, password) => {
        const username = normalizeUsername(rawUsername);
        const problem = usernameProblem(username) ?? passwordProblem(password);
        if (problem) throw new Error(problem);
        await signUp(username, password);
      }}
      footer={
        <>
          Already have an account? <Link href={`/login${search()}`}>Sign in</Link>
        </>
      }
    />
  );
}
