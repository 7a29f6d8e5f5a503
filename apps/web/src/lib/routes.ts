/**
 * The app's routes, free of Solid and of everything else: warmDevice.ts reads the address with these
 * before the app itself is evaluated (it runs from its own small chunk, see vite.config.ts).
 * URLs are a contract with people's bookmarks and links: `/r/<roomId>`, `/dm/<username>`, a thread
 * `/r/<roomId>/t/<messageId>` (or `/dm/<username>/t/<messageId>`), the followed threads `/threads`; a
 * reload returns to the same place.
 */

export type Route =
  | { name: "login" }
  | { name: "signup" }
  | { name: "invite"; token: string }
  | { name: "reset"; token: string }
  | { name: "home" }
  /** `threadId`: the root message of the thread open beside the room. */
  | { name: "room"; roomId: string; threadId?: string }
  | { name: "dm"; username: string; threadId?: string }
  | { name: "threads" }
  | { name: "not-found" };

function decode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

export function matchRoute(pathname: string): Route {
  if (pathname === "/" || pathname === "") return { name: "home" };
  if (pathname === "/login") return { name: "login" };
  if (pathname === "/signup") return { name: "signup" };
  const invite = /^\/invite\/([A-Za-z0-9_-]{1,100})\/?$/.exec(pathname);
  if (invite) return { name: "invite", token: invite[1]! };
  if (pathname === "/threads" || pathname === "/threads/") return { name: "threads" };
  const reset = /^\/reset\/([A-Za-z0-9_-]{1,100})\/?$/.exec(pathname);
  if (reset) return { name: "reset", token: reset[1]! };
  let match = /^\/r\/([^/]+)(?:\/t\/([^/]+))?\/?$/.exec(pathname);
  if (match) {
    const roomId = decode(match[1]!);
    const threadId = match[2] === undefined ? undefined : decode(match[2]);
    if (roomId && threadId !== null)
      return threadId ? { name: "room", roomId, threadId } : { name: "room", roomId };
  }
  match = /^\/dm\/([^/]+)(?:\/t\/([^/]+))?\/?$/.exec(pathname);
  if (match) {
    const username = decode(match[1]!);
    const threadId = match[2] === undefined ? undefined : decode(match[2]);
    if (username && threadId !== null)
      return threadId ? { name: "dm", username, threadId } : { name: "dm", username };
  }
  return { name: "not-found" };
}

export const roomPath = (roomId: string): string => `/r/${encodeURIComponent(roomId)}`;
export const dmPath = (username: string): string => `/dm/${encodeURIComponent(username)}`;
/** A thread, beside its conversation: `conversationPath` is the room's (or DM's) own path. */
export const threadPath = (conversationPath: string, rootId: string): string =>
  `${conversationPath}/t/${encodeURIComponent(rootId)}`;
export const THREADS_PATH = "/threads";

/** Where to go after signing in: only paths on this site (never `//evil.example`), never back to sign-in. */
export function safeNext(raw: string | null): string {
  if (!raw?.startsWith("/") || raw.startsWith("//") || raw.startsWith("/\\")) return "/";
  const target = matchRoute(raw.split(/[?#]/)[0]!);
  return target.name === "login" ||
    target.name === "signup" ||
    target.name === "invite" ||
    target.name === "reset"
    ? "/"
    : raw;
}

/** The sign-in page, remembering where the person was going. */
export function loginPathFor(wanted: string): string {
  return wanted === "/" ? "/login" : `/login?next=${encodeURIComponent(wanted)}`;
}
