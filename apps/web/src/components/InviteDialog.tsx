import { createResource, createSignal, For, Show } from "solid-js";
import { createInvite, type Invite, listInvites, revokeInvite } from "../lib/api";
import { Modal } from "../ui/Modal";
import "./security.css";

const EXPIRY_CHOICES = [
  { hours: 1, label: "1 hour" },
  { hours: 24, label: "1 day" },
  { hours: 7 * 24, label: "7 days" },
  { hours: 30 * 24, label: "30 days" },
] as const;

const USE_CHOICES = [
  { uses: 1, label: "Once" },
  { uses: 5, label: "5 times" },
  { uses: 25, label: "25 times" },
  { uses: null, label: "Any number of times" },
] as const;

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/**
 * Dialog "Invite people": create an invite link (expiry, number of uses), copy it, and see and revoke
 * the links made so far (one's own; the admin sees everyone's). The server keeps only a hash of each
 * token, so a link can be copied only right after it is made.
 */
export function InviteDialog(props: { isAdmin: boolean; onClose: () => void }) {
  let dialog!: HTMLDialogElement;
  let linkInput: HTMLInputElement | undefined;
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const [created, setCreated] = createSignal<string | null>(null);
  const [copied, setCopied] = createSignal(false);
  const [invites, { refetch }] = createResource(listInvites);

  const create = async (event: SubmitEvent) => {
    event.preventDefault();
    if (busy()) return;
    const data = new FormData(event.currentTarget as HTMLFormElement);
    const uses = String(data.get("uses"));
    setBusy(true);
    setError(null);
    setCopied(false);
    try {
      const { path } = await createInvite({
        expiresInHours: Number(data.get("expires")),
        maxUses: uses === "any" ? null : Number(uses),
      });
      setCreated(new URL(path, window.location.origin).toString());
      linkInput?.focus();
      linkInput?.select();
      void refetch();
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const copy = async () => {
    const link = created();
    if (!link) return;
    try {
      await navigator.clipboard.writeText(link);
      setCopied(true);
    } catch {
      // No clipboard permission (or not a secure context): leave the link selected to copy by hand.
      linkInput?.select();
      setError("Could not copy automatically. The link is selected: copy it with Ctrl+C or ⌘C.");
    }
  };

  const revoke = async (invite: Invite) => {
    setError(null);
    try {
      await revokeInvite(invite.id);
      void refetch();
    } catch (failure) {
      setError((failure as Error).message);
    }
  };

  return (
    <Modal ref={dialog} class="dialog-wide" labelledBy="invite-title" onClose={props.onClose}>
      <div class="dialog-card">
        <h2 id="invite-title">Invite people</h2>
        <p class="dialog-intro">
          Anyone with an invite link can create an account here, until it expires or is used up.
        </p>
        <form class="invite-form" onSubmit={create} aria-busy={busy()}>
          <div class="field">
            <label for="invite-expires">Expires after</label>
            <select id="invite-expires" name="expires" class="select">
              <For each={EXPIRY_CHOICES}>
                {(choice) => (
                  <option value={choice.hours} selected={choice.hours === 7 * 24}>
                    {choice.label}
                  </option>
                )}
              </For>
            </select>
          </div>
          <div class="field">
            <label for="invite-uses">Can be used</label>
            <select id="invite-uses" name="uses" class="select">
              <For each={USE_CHOICES}>
                {(choice) => (
                  <option value={choice.uses ?? "any"} selected={choice.uses === 1}>
                    {choice.label}
                  </option>
                )}
              </For>
            </select>
          </div>
          <button type="submit" class="button primary" disabled={busy()}>
            <Show when={busy()}>
              <span class="spinner" aria-hidden="true" />
            </Show>
            Create invite link
          </button>
        </form>
        <Show when={created()}>
          {(link) => (
            <div class="invite-created">
              <label for="invite-link">Invite link</label>
              <div class="copy-row">
                <input
                  ref={linkInput}
                  id="invite-link"
                  class="copy-input"
                  type="text"
                  readOnly
                  value={link()}
                  aria-describedby="invite-link-hint"
                  onFocus={(event) => event.currentTarget.select()}
                />
                <button type="button" class="button" onClick={copy}>
                  Copy link
                </button>
              </div>
              <p id="invite-link-hint" class="field-hint">
                Copy it now: the server keeps only a fingerprint of it, so it cannot be shown again.
              </p>
              <p class="copy-status" role="status">
                {copied() ? "Copied to the clipboard." : ""}
              </p>
            </div>
          )}
        </Show>
        <Show when={error()}>
          <p class="form-error" role="alert">
            {error()}
          </p>
        </Show>
        <h3 class="dialog-subhead" id="invite-list-title">
          {props.isAdmin ? "All invite links" : "Your invite links"}
        </h3>
        <Show
          when={!invites.error}
          fallback={
            <p class="form-error" role="alert">
              {(invites.error as Error)?.message ?? "Could not load the invite links."}
            </p>
          }
        >
          <ul class="invite-list" aria-labelledby="invite-list-title" aria-busy={invites.loading}>
            <For each={invites()} fallback={<li class="invite-empty">No invite links yet.</li>}>
              {(invite) => <InviteRow invite={invite} showMaker={props.isAdmin} onRevoke={revoke} />}
            </For>
          </ul>
        </Show>
        <div class="dialog-actions">
          <button type="button" class="button ghost" onClick={() => dialog.close()}>
            Done
          </button>
        </div>
      </div>
    </Modal>
  );
}

function InviteRow(props: { invite: Invite; showMaker: boolean; onRevoke: (invite: Invite) => void }) {
  const invite = () => props.invite;
  const uses = () =>
    invite().maxUses === null
      ? `${invite().uses} use${invite().uses === 1 ? "" : "s"}, no limit`
      : `${invite().uses} of ${invite().maxUses} use${invite().maxUses === 1 ? "" : "s"}`;
  const descriptionId = `invite-${invite().id}`;
  return (
    <li class="invite-item" classList={{ inactive: invite().state !== "active" }}>
      <div class="invite-details" id={descriptionId}>
        <span class="invite-made">
          Made {dateTime.format(invite().createdAt)}
          {props.showMaker ? ` by ${invite().createdBy.username}` : ""}
        </span>
        <span class="invite-meta">
          {uses()} ·{" "}
          {invite().state === "active" ? `expires ${dateTime.format(invite().expiresAt)}` : invite().state}
        </span>
      </div>
      <Show when={invite().state === "active"}>
        <button
          type="button"
          class="button ghost small"
          aria-describedby={descriptionId}
          onClick={() => props.onRevoke(invite())}
        >
          Revoke
        </button>
      </Show>
    </li>
  );
}
