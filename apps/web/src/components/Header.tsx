import { createEffect, createSignal, onCleanup, Show } from "solid-js";
import { Portal } from "solid-js/web";
import { displayNameOf } from "../lib/people";
import { SearchBox } from "../search/SearchBox";
import { signOut } from "../state/session";
import { useWorkspace } from "../state/workspace";
import type { ConnectionState } from "../sync/connection";
import { HeaderActions } from "./HeaderActions";
import { PendingBadge } from "./PendingBadge";
import { SignOutDialog } from "./SignOutDialog";

const STATE_TEXT: Record<ConnectionState, string> = {
  online: "Online",
  offline: "Offline",
  connecting: "Connecting…",
};

/** "retry in 4 s" while the connection waits before its next attempt; ticks every second. */
function RetryCountdown(props: { at: number }) {
  const [now, setNow] = createSignal(Date.now());
  createEffect(() => {
    props.at;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    onCleanup(() => clearInterval(timer));
  });
  const seconds = () => Math.max(1, Math.ceil((props.at - now()) / 1_000));
  // Hidden from screen readers: the status is a live region, and a ticking count would be read out every second.
  return (
    <span class="connection-retry" aria-hidden="true">
      {` · retry in ${seconds()} s`}
    </span>
  );
}

/** The top bar: navigation toggle, search, connection state, who is signed in and "Sign out". */
export function Header(props: { navOpen: boolean; onToggleNav: () => void }) {
  const workspace = useWorkspace();
  const [signingOut, setSigningOut] = createSignal(false);
  const [confirming, setConfirming] = createSignal(false);
  const state = () => workspace.connection.state();

  // Signing out wipes the device's copy: with anything still waiting to be sent, ask first.
  const askToLeave = () => {
    if (workspace.pendingCount() > 0) setConfirming(true);
    else void leave();
  };
  const leave = async () => {
    setSigningOut(true);
    try {
      await signOut();
    } finally {
      setSigningOut(false);
    }
  };

  return (
    <header class="topbar">
      <button
        type="button"
        class="icon-button nav-toggle"
        aria-label="Toggle navigation"
        aria-expanded={props.navOpen}
        aria-controls="sidebar"
        aria-describedby={workspace.totalUnread() > 0 ? "nav-toggle-unread" : undefined}
        onClick={() => props.onToggleNav()}
      >
        <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
          <path d="M4 6h16M4 12h16M4 18h16" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
        </svg>
        {/* On a phone the nav is closed most of the time: the button carries the unread total. */}
        <Show when={workspace.totalUnread() > 0}>
          <span class="badge mention-badge nav-toggle-badge" aria-hidden="true">
            {workspace.totalUnread() > 99 ? "99+" : workspace.totalUnread()}
          </span>
          <span id="nav-toggle-unread" class="visually-hidden">
            {workspace.totalUnread()} unread
          </span>
        </Show>
      </button>
      <span class="brand">
        <span class="brand-mark" aria-hidden="true" />
        <span class="brand-name">Chat</span>
      </span>
      <SearchBox />
      {/* The status grows and ticks while offline: it does so inside a slot of fixed width, so the
          search field beside it keeps its place. */}
      <div class="connection-slot">
        <div class={`connection connection-${state()}`} role="status" aria-label="Connection">
          <span class="connection-dot" aria-hidden="true" />
          <span class="connection-text">{STATE_TEXT[state()]}</span>
          <Show when={workspace.connection.retryAt()}>{(at) => <RetryCountdown at={at()} />}</Show>
          <PendingBadge count={workspace.pendingCount()} />
        </div>
      </div>
      <HeaderActions />
      <span class="me" title={`Signed in as @${workspace.me.username}`}>
        {displayNameOf(workspace.userById().get(workspace.me.id), workspace.me.username)}
      </span>
      <button
        type="button"
        class="button ghost small sign-out"
        title="Sign out"
        onClick={askToLeave}
        disabled={signingOut()}
      >
        <svg class="sign-out-icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
          <path
            d="M9 4H6a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h3M14 17l5-5-5-5M19 12H8"
            fill="none"
            stroke="currentColor"
            stroke-width="2"
            stroke-linecap="round"
            stroke-linejoin="round"
          />
        </svg>
        <span class="sign-out-label">Sign out</span>
      </button>
      <Show when={confirming()}>
        {/* Outside the header: its dark-ground button styles must not reach the dialog. */}
        <Portal>
          <SignOutDialog
            pending={workspace.pendingCount()}
            onConfirm={() => void leave()}
            onClose={() => setConfirming(false)}
          />
        </Portal>
      </Show>
    </header>
  );
}
