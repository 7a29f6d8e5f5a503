import { createMemo, createSignal, Match, onCleanup, onMount, Show, Switch } from "solid-js";
import { Header } from "../components/Header";
import { InAppNotice } from "../components/InAppNotice";
import { LeftNav } from "../components/LeftNav";
import { QuickSwitcher } from "../components/QuickSwitcher";
import { RefusedChangeBanner } from "../components/RefusedChangeBanner";
import { RoomView } from "../components/RoomView";
import { ShortcutsDialog } from "../components/ShortcutsDialog";
import { keepPushSubscription, onNotificationOpen } from "../device/pushSubscription";
import { navigate, path, type Route } from "../lib/router";
import { nextConversation, shortcutOf } from "../lib/shortcuts";
import { createNotices } from "../state/notices";
import { desktopNotifications, watchFollowedThreads, watchForNotifications } from "../state/notifier";
import { trackTabTitle } from "../state/pageTitle";
import { useWorkspace } from "../state/workspace";
import { Link } from "../ui/Link";
import { DmPage } from "./DmPage";
import { Home } from "./Home";
import { ThreadsPage } from "./ThreadsPage";

const NARROW = "(max-width: 719.98px)";

/** The signed-in layout: header, left nav (a drawer on phone widths) and the open room. */
export function Shell(props: { route: Route }) {
  const narrowQuery = window.matchMedia(NARROW);
  const [narrow, setNarrow] = createSignal(narrowQuery.matches);
  const [navOpen, setNavOpen] = createSignal(!narrowQuery.matches);
  const [jumping, setJumping] = createSignal(false);
  const [showShortcuts, setShowShortcuts] = createSignal(false);

  /** The app's own shortcuts (lib/shortcuts.ts); a text box keeps the keys that are its own. */
  const onShortcut = (event: KeyboardEvent) => {
    const target = event.target as HTMLElement | null;
    const editable = !!target?.closest("input, textarea, select, [contenteditable='true']");
    const shortcut = shortcutOf(event, editable);
    if (!shortcut) return;
    const dialogOpen = document.querySelector("dialog[open]") !== null;
    if (shortcut.kind === "jump") {
      event.preventDefault();
      if (!dialogOpen) setJumping(true);
    } else if (shortcut.kind === "help") {
      if (dialogOpen) return;
      event.preventDefault();
      setShowShortcuts(true);
    } else if (!dialogOpen) {
      // The sidebar's conversations in the order it shows them.
      const links = [...document.querySelectorAll<HTMLAnchorElement>("#sidebar nav a.nav-link")].map(
        (link) => ({
          href: new URL(link.href).pathname,
          unread: link.classList.contains("unread"),
        }),
      );
      // With a thread open, the conversation beside it is where the person is.
      const here = path().replace(/\/t\/[^/]+\/?$/, "");
      const to = nextConversation(links, here, shortcut.step, shortcut.unreadOnly);
      event.preventDefault();
      if (to) navigate(to);
    }
  };

  onMount(() => {
    const changed = (event: MediaQueryListEvent) => {
      setNarrow(event.matches);
      setNavOpen(!event.matches);
    };
    narrowQuery.addEventListener("change", changed);
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape" && narrow() && navOpen() && !document.querySelector("dialog[open]")) {
        // Taken: this Escape closed the nav, so the room does not also mark itself read.
        event.preventDefault();
        setNavOpen(false);
        document.querySelector<HTMLElement>(".nav-toggle")?.focus();
      }
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("keydown", onShortcut);
    onCleanup(() => {
      narrowQuery.removeEventListener("change", changed);
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("keydown", onShortcut);
    });
  });

  const workspace = useWorkspace();
  trackTabTitle(workspace.titleUnread);
  // A pushed notification clicked while the app is open: go to its conversation. Pushes turned on
  // here are registered again under this session (quietly, once the first screen is up).
  onCleanup(onNotificationOpen((to) => navigate(to)));
  onMount(() => {
    const timer = setTimeout(() => void keepPushSubscription(), 2_000);
    onCleanup(() => clearTimeout(timer));
  });
  // A message for the person in a room not in view: the in-app notice, and a desktop one if turned on.
  const notices = createNotices();
  watchForNotifications(workspace, { desktop: desktopNotifications, notice: notices.show });
  watchFollowedThreads(workspace, { desktop: desktopNotifications, notice: notices.show });

  const closeOnNarrow = () => {
    if (narrow()) setNavOpen(false);
  };

  return (
    <div class="shell" classList={{ "nav-open": navOpen(), narrow: narrow() }}>
      <Header navOpen={navOpen()} onToggleNav={() => setNavOpen(!navOpen())} />
      <RefusedChangeBanner />
      <div class="body">
        <LeftNav open={navOpen()} onNavigate={closeOnNarrow} />
        <div class="scrim" aria-hidden="true" onClick={() => setNavOpen(false)} />
        <main class="content">
          <Page route={props.route} />
        </main>
      </div>
      <InAppNotice notices={notices} />
      <Show when={jumping()}>
        <QuickSwitcher onClose={() => setJumping(false)} onNavigate={closeOnNarrow} />
      </Show>
      <Show when={showShortcuts()}>
        <ShortcutsDialog onClose={() => setShowShortcuts(false)} />
      </Show>
    </div>
  );
}

function Page(props: { route: Route }) {
  const route = () => props.route;
  // Keyed by the conversation alone: opening or closing one of its threads keeps the room as it is
  // (its scroll position, its composer), and only the thread beside it changes.
  const roomId = createMemo(() => {
    const current = route();
    return current.name === "room" ? current.roomId : undefined;
  });
  const username = createMemo(() => {
    const current = route();
    return current.name === "dm" ? current.username : undefined;
  });
  const threadId = () => {
    const current = route();
    return current.name === "room" || current.name === "dm" ? current.threadId : undefined;
  };
  return (
    <Switch>
      <Match when={roomId()} keyed>
        {(id) => <RoomView roomId={id} threadId={threadId()} />}
      </Match>
      <Match when={username()} keyed>
        {(name) => <DmPage username={name} threadId={threadId()} />}
      </Match>
      <Match when={route().name === "threads"}>
        <ThreadsPage />
      </Match>
      <Match when={route().name === "home"}>
        <Home />
      </Match>
      <Match when={true}>
        <section class="home">
          <div class="home-card">
            <h1>Page not found</h1>
            <p>
              There is nothing at this address. <Link href="/">Go to the start page</Link>.
            </p>
          </div>
        </section>
      </Match>
    </Switch>
  );
}
