import { createSignal } from "solid-js";

export {
  dmPath,
  loginPathFor,
  matchRoute,
  type Route,
  roomPath,
  safeNext,
  THREADS_PATH,
  threadPath,
} from "./routes";

/**
 * A tiny History-API router: the current location as signals, and `navigate`. The routes themselves
 * are in routes.ts (re-exported here).
 */

const [path, setPath] = createSignal(window.location.pathname);
const [search, setSearch] = createSignal(window.location.search);

window.addEventListener("popstate", () => {
  setPath(window.location.pathname);
  setSearch(window.location.search);
});

export { path, search };

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const url = new URL(to, window.location.origin);
  const target = url.pathname + url.search + url.hash;
  if (target === window.location.pathname + window.location.search + window.location.hash) return;
  if (options.replace) window.history.replaceState(null, "", target);
  else window.history.pushState(null, "", target);
  setPath(url.pathname);
  setSearch(url.search);
}
