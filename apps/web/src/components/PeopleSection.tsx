import { createResource, createSignal, For, Show } from "solid-js";
import {
  type AdminPerson,
  type AuditEntry,
  changePerson,
  issuePasswordReset,
  listAudit,
  listPeople,
} from "../lib/api";
import { formatLongTime, isoTime } from "../lib/format";
import { useWorkspace } from "../state/workspace";
import { Avatar } from "../ui/Avatar";
import "./people.css";

/**
 * Settings section "People", for the workspace admin (the server refuses anyone else): every account
 * with its role and last activity, as a list (readable at 390 px), with "Make NAME admin" / "Remove
 * NAME as admin", "Deactivate NAME" / "Reactivate NAME" and "Reset password for NAME" (a single-use
 * link valid 24 hours, shown once to copy), and the audit log of every admin action.
 */
export function PeopleSection() {
  const workspace = useWorkspace();
  const [people, { refetch }] = createResource(listPeople);
  const [auditOpen, setAuditOpen] = createSignal(false);
  const [audit, { refetch: refetchAudit }] = createResource(auditOpen, () => listAudit());
  const [busy, setBusy] = createSignal<string | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const [done, setDone] = createSignal<string | null>(null);
  /** The reset link just issued, by person id: shown once. */
  const [links, setLinks] = createSignal<Record<string, { url: string; expiresAt: number }>>({});

  /** One admin action: the list (and the audit log, if open) follow the server's answer. */
  const act = async (person: AdminPerson, action: () => Promise<unknown>, said: string) => {
    if (busy()) return;
    setBusy(person.id);
    setError(null);
    setDone(null);
    try {
      await action();
      setDone(said);
      await refetch();
      if (auditOpen()) await refetchAudit();
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(null);
    }
  };
  const reset = (person: AdminPerson) =>
    act(
      person,
      async () => {
        const link = await issuePasswordReset(person.id);
        setLinks({
          ...links(),
          [person.id]: { url: `${location.origin}${link.path}`, expiresAt: link.expiresAt },
        });
      },
      `A reset link for ${person.username} is below: send it to them. It works once, for 24 hours.`,
    );

  return (
    <section class="settings-section people-section" aria-labelledby="people-title">
      <h3 class="dialog-subhead" id="people-title">
        People
      </h3>
      <p class="field-hint">
        Everyone in the workspace. A deactivated person is signed out everywhere at once and cannot sign in;
        their messages stay.
      </p>
      <Show when={people.error}>
        <p class="form-error" role="alert">
          {(people.error as Error).message}
        </p>
      </Show>
      <Show when={error()}>
        <p class="form-error" role="alert">
          {error()}
        </p>
      </Show>
      <p class="copy-status" role="status">
        {done() ?? ""}
      </p>
      <ul class="people-list" aria-label="People" aria-busy={people.loading}>
        <For each={people()}>
          {(person) => {
            const me = () => person.id === workspace.me.id;
            const link = () => links()[person.id];
            return (
              <li class="person-row" classList={{ deactivated: person.deactivated }}>
                <div class="person-main">
                  <Avatar
                    user={workspace.userById().get(person.id)}
                    fallbackName={person.displayName || person.username}
                    color={workspace.colorFor(person.id)}
                    size="small"
                  />
                  <div class="person-text">
                    <span class="person-name">
                      {person.displayName || person.username}
                      {person.deactivated ? " (deactivated)" : ""}
                      <Show when={me()}>
                        <span class="person-you"> (you)</span>
                      </Show>
                    </span>
                    <span class="person-meta">
                      @{person.username} · {person.isAdmin ? "Admin" : "Member"} ·{" "}
                      <LastSeen at={person.lastSeenAt} />
                    </span>
                  </div>
                </div>
                <div class="person-actions">
                  <Show
                    when={!person.deactivated}
                    fallback={
                      <button
                        type="button"
                        class="button small"
                        aria-label={`Reactivate ${person.username}`}
                        disabled={busy() !== null}
                        onClick={() =>
                          act(
                            person,
                            () => changePerson(person.id, { deactivated: false }),
                            `${person.username} can sign in again.`,
                          )
                        }
                      >
                        Reactivate
                      </button>
                    }
                  >
                    <button
                      type="button"
                      class="button ghost small"
                      aria-label={
                        person.isAdmin
                          ? `Remove ${person.username} as admin`
                          : `Make ${person.username} admin`
                      }
                      disabled={busy() !== null}
                      onClick={() =>
                        act(
                          person,
                          () => changePerson(person.id, { isAdmin: !person.isAdmin }),
                          person.isAdmin
                            ? `${person.username} is no longer an admin.`
                            : `${person.username} is now an admin.`,
                        )
                      }
                    >
                      {person.isAdmin ? "Remove admin" : "Make admin"}
                    </button>
                    <button
                      type="button"
                      class="button ghost small"
                      aria-label={`Reset password for ${person.username}`}
                      disabled={busy() !== null}
                      onClick={() => reset(person)}
                    >
                      Reset password
                    </button>
                    <Show when={!me()}>
                      <button
                        type="button"
                        class="button ghost small person-deactivate"
                        aria-label={`Deactivate ${person.username}`}
                        disabled={busy() !== null}
                        onClick={() =>
                          act(
                            person,
                            () => changePerson(person.id, { deactivated: true }),
                            `${person.username} is deactivated and signed out everywhere.`,
                          )
                        }
                      >
                        Deactivate
                      </button>
                    </Show>
                  </Show>
                </div>
                <Show when={link()}>
                  {(issued) => <ResetLink username={person.username} {...issued()} />}
                </Show>
              </li>
            );
          }}
        </For>
      </ul>
      <details class="audit-log" onToggle={(event) => setAuditOpen(event.currentTarget.open)}>
        <summary>Audit log</summary>
        <Show when={audit.error}>
          <p class="form-error" role="alert">
            {(audit.error as Error).message}
          </p>
        </Show>
        <Show when={audit()?.length === 0}>
          <p class="field-hint">No admin actions yet.</p>
        </Show>
        <ol class="audit-list" aria-label="Audit log">
          <For each={audit() ?? []}>{(entry) => <AuditItem entry={entry} />}</For>
        </ol>
      </details>
    </section>
  );
}

function LastSeen(props: { at: number | null }) {
  return (
    <Show when={props.at} fallback="never active">
      {(at) => (
        <>
          active{" "}
          <time datetime={isoTime(at())} title={formatLongTime(at())}>
            {sinceText(at())}
          </time>
        </>
      )}
    </Show>
  );
}

/** "just now", "5 min ago", "3 h ago", "4 days ago": last activity is kept to within a few minutes. */
function sinceText(at: number, now = Date.now()): string {
  const minutes = Math.floor((now - at) / 60_000);
  if (minutes < 5) return "recently";
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.floor(hours / 24);
  return days === 1 ? "yesterday" : `${days} days ago`;
}

function ResetLink(props: { username: string; url: string; expiresAt: number }) {
  const [copied, setCopied] = createSignal<string | null>(null);
  let input!: HTMLInputElement;
  const copy = async () => {
    input.select();
    try {
      await navigator.clipboard.writeText(props.url);
      setCopied("Link copied.");
    } catch {
      setCopied("The link is selected: copy it with Ctrl+C or ⌘C.");
    }
  };
  const id = `reset-link-${props.username}`;
  return (
    <div class="reset-link">
      <label for={id}>Reset link for {props.username}</label>
      <div class="copy-row">
        <input
          ref={input}
          id={id}
          class="copy-input"
          type="text"
          readonly
          value={props.url}
          onFocus={(event) => event.currentTarget.select()}
        />
        <button type="button" class="button small" onClick={copy}>
          Copy link
        </button>
      </div>
      <p class="field-hint">
        Works once, until {formatLongTime(props.expiresAt)}. Using it signs {props.username} out everywhere.
      </p>
      <Show when={copied()}>
        <p class="copy-status" role="status">
          {copied()}
        </p>
      </Show>
    </div>
  );
}

function AuditItem(props: { entry: AuditEntry }) {
  return (
    <li class="audit-item">
      <time datetime={isoTime(props.entry.at)}>{formatLongTime(props.entry.at)}</time>
      <span>{props.entry.summary}</span>
    </li>
  );
}
