import { createSignal, Match, onCleanup, onMount, Switch } from "solid-js";
import { Header } from "../components/Header";
import { LeftNav } from "../components/LeftNav";
import { RefusedChangeBanner } from "../components/RefusedChangeBanner";
import { RoomView } from "../components/RoomView";
import type { Route } from "../lib/router";
import { trackTabTitle } from "../state/pageTitle";
import { useWorkspace } from "../state/workspace";
import { Link } from "../ui/Link";
import { DmPage } from "./DmPage";
import { Home } from "./Home";

type RoomRoute = Extract<Route, { name: "room" }>;
type DmRoute = Extract<Route, { name: "dm" }>;

const NARROW = "(max-width: 719.98px)";

/** The signed-in layout: header, left nav (a drawer on phone widths) and the open room. */
export function Shell(props: { route: Route }) {
  const narrowQuery = window.matchMedia(NARROW);
  const [narrow, setNarrow] = createSignal(narrowQuery.matches);
  const [navOpen, setNavOpen] = createSignal(!narrowQuery.matches);

  onMount(() => {
    const changed = (event: MediaQueryListEvent) => {
      setNarrow(event.matches);
      setNavOpen(!event.matches);
    };
    narrowQuery.addEventListener("change", changed);
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape" && narrow() && navOpen() && !document.querySelector("dialog[open]")) {
        setNavOpen(false);
        document.querySelector<HTMLElement>(".nav-toggle")?.focus();
      }
    };
    document.addEventListener("keydown", onKey);
    onCleanup(() => {
      narrowQuery.removeEventListener("change", changed);
      document.removeEventListener("keydown", onKey);
    });
  });

  trackTabTitle(useWorkspace().totalUnread);

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
    </div>
  );
}

function Page(props: { route: Route }) {
  const route = () => props.route;
  return (
    <Switch>
      <Match when={route().name === "room" ? (route() as RoomRoute) : undefined} keyed>
        {(room) => <RoomView roomId={room.roomId} />}
      </Match>
      <Match when={route().name === "dm" ? (route() as DmRoute) : undefined} keyed>
        {(dm) => <DmPage username={dm.username} />}
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
